package dev.trellis.e2e;

import dev.trellis.model.XdsClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One proxyless xDS client (grpc-java, grpc-node or C-core) in its own process, bootstrapped to a
 * loopback xDS server, driven by lines: {@code call TARGET DEADLINE_MS} answered by {@code ok
 * REPLY} or {@code err CODE DESCRIPTION}. A process that ends answers {@code dead EXIT}, one that
 * does not answer in time {@code timeout}. Always closed (killed if need be) by the test.
 */
final class ConformanceClient implements AutoCloseable {

  /** How each kind of client is started, from the bootstrap file. */
  enum Kind {
    GRPC_JAVA(XdsClient.GRPC_JAVA),
    GRPC_NODE(XdsClient.GRPC_NODE),
    C_CORE(XdsClient.GRPC_CORE);

    final XdsClient client;
    final String label;

    Kind(XdsClient client) {
      this.client = client;
      this.label = client.label();
    }
  }

  final Kind kind;
  final String nodeId;
  private final Process process;
  private final Writer commands;
  private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
  private final Path stderr;

  private ConformanceClient(Kind kind, String nodeId, Process process, Path stderr) {
    this.kind = kind;
    this.nodeId = nodeId;
    this.process = process;
    this.stderr = stderr;
    this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader out =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                  answers.add(line);
                }
              } catch (IOException e) {
                // the process is gone; answers say "dead"
              }
            },
            nodeId + "-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts a client of this kind as node {@code nodeId} of {@code cluster}; {@code clients} is the
   * folder of the node and Python scripts (with node_modules).
   */
  static ConformanceClient start(
      Kind kind, Path dir, Path clients, int xdsPort, String nodeId, String cluster)
      throws IOException {
    return start(kind, dir, clients, xdsPort, nodeId, cluster, null, false);
  }

  /**
   * As above, with {@code certificates} (may be null) for the bootstrap's file_watcher provider
   * and, with {@code xdsCredentials}, channels that take their transport security from xDS
   * (otherwise plaintext whatever the clusters say).
   */
  static ConformanceClient start(
      Kind kind,
      Path dir,
      Path clients,
      int xdsPort,
      String nodeId,
      String cluster,
      Path certificates,
      boolean xdsCredentials)
      throws IOException {
    Path bootstrap = GrpcBootstrapFile.write(dir, xdsPort, nodeId, cluster, certificates);
    List<String> command = new ArrayList<>();
    switch (kind) {
      case GRPC_JAVA ->
          command.addAll(
              List.of(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-Xmx256m",
                  "-cp",
                  System.getProperty("java.class.path"),
                  "-Dio.grpc.xds.bootstrap=" + bootstrap,
                  "-Dtrellis.e2e.credentials=" + (xdsCredentials ? "xds" : "plaintext"),
                  XdsClientMain.class.getName()));
      case GRPC_NODE ->
          command.addAll(List.of("node", clients.resolve("node-client.js").toString()));
      case C_CORE ->
          command.addAll(
              List.of("/usr/bin/python3", clients.resolve("ccore-client.py").toString()));
    }
    Path stderr = dir.resolve(nodeId + "-stderr.log");
    ProcessBuilder builder =
        new ProcessBuilder(command).directory(clients.toFile()).redirectError(stderr.toFile());
    Map<String, String> env = builder.environment();
    env.put("GRPC_XDS_BOOTSTRAP", bootstrap.toString());
    env.put("PYTHONUNBUFFERED", "1");
    env.put("TRELLIS_XDS_CREDENTIALS", xdsCredentials ? "xds" : "plaintext");
    ConformanceClient client = new ConformanceClient(kind, nodeId, builder.start(), stderr);
    if (kind != Kind.GRPC_JAVA) {
      String ready = client.next(Duration.ofSeconds(30));
      if (!"ready".equals(ready)) {
        try {
          client.close();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        throw new IOException(kind.label + " did not start (" + ready + "): " + client.stderr());
      }
    }
    return client;
  }

  boolean alive() {
    return process.isAlive();
  }

  /** One RPC with this deadline (0: none); the answer is awaited at most {@code wait}. */
  String call(String target, Duration deadline, Duration wait) {
    if (!process.isAlive()) {
      return "dead " + process.exitValue();
    }
    try {
      commands.write("call " + target + " " + deadline.toMillis() + "\n");
      commands.flush();
    } catch (IOException e) {
      return dead();
    }
    return next(wait);
  }

  String call(String target) {
    return call(target, Duration.ofSeconds(5), Duration.ofSeconds(15));
  }

  private String next(Duration wait) {
    try {
      long until = System.nanoTime() + wait.toNanos();
      while (System.nanoTime() < until) {
        String line = answers.poll(200, TimeUnit.MILLISECONDS);
        if (line != null) {
          return line;
        }
        if (!process.isAlive() && answers.isEmpty()) {
          return dead();
        }
      }
      return "timeout";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private String dead() {
    try {
      process.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return process.isAlive() ? "dead (stdin closed)" : "dead " + process.exitValue();
  }

  /** The last lines of the client's stderr. */
  String stderr() {
    try {
      List<String> lines = Files.readAllLines(stderr);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    try {
      commands.close();
    } catch (IOException ignored) {
      // the child is gone already
    }
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
