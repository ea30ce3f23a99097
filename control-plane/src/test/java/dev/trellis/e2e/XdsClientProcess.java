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
    Path bootstrap = dir.resolve(nodeId + "-bootstrap.json");
    Files.writeString(
        bootstrap,
        """
        {
          "xds_servers": [{
            "server_uri": "127.0.0.1:%d",
            "channel_creds": [{"type": "insecure"}],
            "server_features": ["xds_v3"]
          }],
          "node": {"id": "%s", "cluster": "%s"}
        }
        """
            .formatted(xdsPort, nodeId, cluster));
    Path stderr = dir.resolve(nodeId + "-stderr.log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process =
        new ProcessBuilder(
                List.of(
                    java,
                    "-Xmx256m",
                    "-cp",
                    System.getProperty("java.class.path"),
                    "-Dio.grpc.xds.bootstrap=" + bootstrap,
                    XdsClientMain.class.getName()))
            .redirectError(stderr.toFile())
            .start();
    return new XdsClientProcess(process, stderr);
  }

  /** One RPC to the target: "ok REPLY" or "err CODE DESCRIPTION". */
  String call(String target) {
    return call(target, Duration.ofSeconds(10));
  }

  /** One RPC to the target with this deadline. */
  String call(String target, Duration deadline) {
    try {
      commands.write("call " + target + " " + deadline.toMillis() + "\n");
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
