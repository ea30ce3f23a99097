package dev.trellis.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trellis.testing.Definitions;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code trellis serve} in its own JVM on a definitions directory, with a grpc-xds client in a
 * third JVM: edits reach the client without restarts, a broken edit keeps the last good config and
 * shows in the admin API, SIGTERM shuts down cleanly.
 */
class ServeE2eTest {

  /** Upper bound for a client to start or catch up; generous for a loaded shared machine. */
  private static final Duration CATCH_UP = Duration.ofSeconds(60);

  @TempDir Path dir;

  @Test
  void servesReloadsAndShutsDownOnSigterm() throws Exception {
    Path defsDir = Files.createDirectories(dir.resolve("defs"));
    try (EchoBackend a = new EchoBackend("backend-a");
        EchoBackend b = new EchoBackend("backend-b")) {
      Definitions defs = new Definitions(defsDir, a.port());
      try (ServeProcess serve =
          ServeProcess.start(dir, Map.of(), "--defs", defsDir.toString(), "--debounce-ms", "100")) {
        serve.awaitBanner();
        await().atMost(CATCH_UP).until(() -> serve.admin("/readyz").statusCode() == 200);

        try (XdsClientProcess client =
            XdsClientProcess.start(dir, serve.xdsPort(), "web-1", "web")) {
          assertThat(client.callUntil("xds:///greeter", "ok backend-a", CATCH_UP))
              .isEqualTo("ok backend-a");

          defs.greeter(b.port());
          assertThat(client.callUntil("xds:///greeter", "ok backend-b", CATCH_UP))
              .isEqualTo("ok backend-b");

          defs.write("services/greeter.yaml", "name: greeter\nowner: x\nprotocol: grpc\nport: 0\n");
          await()
              .atMost(CATCH_UP)
              .until(
                  () -> serve.admin("/debug/errors").body().contains("services/greeter.yaml:4:7"));
          HttpResponse<String> ready = serve.admin("/readyz");
          assertThat(ready.statusCode()).isEqualTo(200);
          assertThat(ready.body()).contains("serving the last good config");
          assertThat(client.call("xds:///greeter")).isEqualTo("ok backend-b");
        }

        assertThat(serve.terminate(Duration.ofSeconds(20)))
            .as("serve exits after SIGTERM")
            .isTrue();
        assertThat(serve.stderrText()).contains("Shutting down");
      }
    }
  }
}
