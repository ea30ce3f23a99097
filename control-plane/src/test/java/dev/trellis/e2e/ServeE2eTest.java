package dev.trellis.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trellis.cli.TrellisCli;
import dev.trellis.testing.Definitions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code trellis serve} in its own JVM on a definitions directory, with a grpc-xds client in a
 * third JVM: edits reach the client without restarts, a broken edit keeps the last good config and
 * shows in the admin API, SIGTERM shuts down cleanly.
 */
class ServeE2eTest {

  private static final Pattern PORTS =
      Pattern.compile("xDS on 127\\.0\\.0\\.1:(\\d+), admin on 127\\.0\\.0\\.1:(\\d+)");

  /** Upper bound for a client to start or catch up; generous for a loaded shared machine. */
  private static final Duration CATCH_UP = Duration.ofSeconds(60);

  @TempDir Path dir;

  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> admin(int port, String path) {
    try {
      return http.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
              .timeout(Duration.ofSeconds(10))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Test
  void servesReloadsAndShutsDownOnSigterm() throws Exception {
    Path defsDir = Files.createDirectories(dir.resolve("defs"));
    Path serveLog = dir.resolve("serve-stderr.log");
    try (EchoBackend a = new EchoBackend("backend-a");
        EchoBackend b = new EchoBackend("backend-b")) {
      Definitions defs = new Definitions(defsDir, a.port());
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process serve =
          new ProcessBuilder(
                  List.of(
                      java,
                      "-Xmx384m",
                      "-cp",
                      System.getProperty("java.class.path"),
                      TrellisCli.class.getName(),
                      "serve",
                      "--defs",
                      defsDir.toString(),
                      "--xds-port",
                      "0",
                      "--admin-port",
                      "0",
                      "--bind",
                      "127.0.0.1",
                      "--debounce-ms",
                      "100"))
              .redirectError(serveLog.toFile())
              .start();
      try {
        BufferedReader out =
            new BufferedReader(
                new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8));
        String banner = out.readLine();
        assertThat(banner).as("serve banner; stderr: %s", Files.readString(serveLog)).isNotNull();
        Matcher ports = PORTS.matcher(banner);
        assertThat(ports.find()).as(banner).isTrue();
        int xdsPort = Integer.parseInt(ports.group(1));
        int adminPort = Integer.parseInt(ports.group(2));
        await().atMost(CATCH_UP).until(() -> admin(adminPort, "/readyz").statusCode() == 200);

        try (XdsClientProcess client = XdsClientProcess.start(dir, xdsPort, "web-1", "web")) {
          assertThat(client.callUntil("xds:///greeter", "ok backend-a", CATCH_UP))
              .isEqualTo("ok backend-a");

          defs.greeter(b.port());
          assertThat(client.callUntil("xds:///greeter", "ok backend-b", CATCH_UP))
              .isEqualTo("ok backend-b");

          defs.write("services/greeter.yaml", "name: greeter\nowner: x\nprotocol: grpc\nport: 0\n");
          await()
              .atMost(CATCH_UP)
              .until(
                  () ->
                      admin(adminPort, "/debug/errors")
                          .body()
                          .contains("services/greeter.yaml:4:7"));
          HttpResponse<String> ready = admin(adminPort, "/readyz");
          assertThat(ready.statusCode()).isEqualTo(200);
          assertThat(ready.body()).contains("serving the last good config");
          assertThat(client.call("xds:///greeter")).isEqualTo("ok backend-b");
        }

        serve.destroy(); // SIGTERM
        assertThat(serve.waitFor(20, TimeUnit.SECONDS)).as("serve exits after SIGTERM").isTrue();
        assertThat(Files.readString(serveLog)).contains("Shutting down");
      } finally {
        serve.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}
