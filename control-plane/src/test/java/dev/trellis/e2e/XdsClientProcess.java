package dev.trellis.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@link XdsClientMain} in a child JVM on this test's class path, bootstrapped to a loopback xDS
 * server as a node of the given cluster. Always closed (and, if need be, killed) by the test.
 */
final class XdsClientProcess implements AutoCloseable {

  private static final Duration ANSWER = Duration.ofSeconds(30);

  private final Process process;
  private final Writer commands;
  private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
  private final Path stderr;

  private XdsClientProcess(Process process, Path stderr) {
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
                answers.add("err READER " + e);
              }
            },
            "xds-client-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  static XdsClientProcess start(Path dir, int xdsPort, String nodeId, String cluster)
      throws IOException {
    return start(dir, xdsPort, nodeId, cluster, null, false, XdsClientMain.class);
  }

  /**
   * A child JVM running {@code main} (a proxyless gRPC client or server), bootstrapped as {@code
   * nodeId} of {@code cluster}. With {@code certificates} (a directory of {@code key.pem}, {@code
   * cert.pem} and {@code ca.pem}) the bootstrap declares the file_watcher certificate provider
   * instance {@code trellis} the rendered TLS contexts name (refreshed every second). With {@code
   * xdsCredentials} a client takes its transport security from xDS, else it sends plaintext
   * whatever the clusters say.
   */
  static XdsClientProcess start(
      Path dir,
      int xdsPort,
      String nodeId,
      String cluster,
      Path certificates,
      boolean xdsCredentials,
      Class<?> main,
      String... args)
      throws IOException {
    Path bootstrap = GrpcBootstrapFile.write(dir, xdsPort, nodeId, cluster, certificates);
    return start(dir, bootstrap, nodeId, xdsCredentials, main, args);
  }

  /** A child JVM running {@code main} from the bootstrap file given; stderr to {@code name}. */
  static XdsClientProcess start(
      Path dir, Path bootstrap, String name, boolean xdsCredentials, Class<?> main, String... args)
      throws IOException {
    Path stderr = dir.resolve(name + "-stderr.log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>();
    command.addAll(
        List.of(
            java,
            "-Xmx256m",
            "-cp",
            System.getProperty("java.class.path"),
            "-Dio.grpc.xds.bootstrap=" + bootstrap));
    if (xdsCredentials) {
      command.add("-Dtrellis.e2e.credentials=xds");
    }
    command.add(main.getName());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
    return new XdsClientProcess(process, stderr);
  }

  /** The next line the process prints (e.g. a server's "serving"). */
  String nextLine() {
    try {
      String line = answers.poll(ANSWER.toSeconds(), TimeUnit.SECONDS);
      assertThat(line).as("a line within %s; stderr:%n%s", ANSWER, stderr()).isNotNull();
      return line;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** One RPC on a new channel (new connection, new TLS handshake), closed afterwards. */
  String callFresh(String target, Duration deadline) {
    return send("call " + target + " " + deadline.toMillis() + " fresh");
  }

  /** One RPC to the target: "ok REPLY" or "err CODE DESCRIPTION". */
  String call(String target) {
    return call(target, Duration.ofSeconds(10));
  }

  /**
   * One RPC to the target without a deadline of its own: only the config can end it early (the
   * answer is still awaited at most {@link #ANSWER}).
   */
  String callWithoutDeadline(String target) {
    return call(target, Duration.ZERO);
  }

  /** One RPC to the target with this deadline ({@link Duration#ZERO}: none). */
  String call(String target, Duration deadline) {
    return send("call " + target + " " + deadline.toMillis());
  }

  private String send(String command) {
    try {
      commands.write(command + "\n");
      commands.flush();
      String answer = answers.poll(ANSWER.toSeconds(), TimeUnit.SECONDS);
      assertThat(answer)
          .as("client answer within %s; client stderr:%n%s", ANSWER, stderr())
          .isNotNull();
      return answer;
    } catch (IOException e) {
      throw new UncheckedIOException("client died; stderr:\n" + stderr(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /**
   * Calls until the answer is {@code expected} (the client may still be starting or catching up
   * with a new config) or {@code within} has passed; returns the last answer.
   */
  String callUntil(String target, String expected, Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    String answer = call(target);
    while (!answer.equals(expected) && System.nanoTime() < deadline) {
      answer = call(target);
    }
    return answer;
  }

  String stderr() {
    try {
      List<String> lines = Files.readAllLines(stderr);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
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
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
