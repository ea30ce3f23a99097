package dev.trellis.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trellis.testing.Definitions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A template that exhausts the heap ends {@code trellis serve} with status 3, at start-up and in a
 * live reload, instead of leaving a process that never serves again. Run without the launcher's
 * {@code -XX:+ExitOnOutOfMemoryError} (what Trellis does itself), and with it.
 */
class OutOfMemoryE2eTest {

  /** Ten-million-character strings kept in a list: gigabytes, within every render limit. */
  private static final String EXHAUSTS_THE_HEAP =
      "{% set kept = [] %}{% for i in range(1000) %}"
          + "{% do kept.append('x'|center(10000000) ~ i) %}{% endfor %}[]\n";

  private static final String TEMPLATE = "templates/grpc/clusters.yaml.j2";
  private static final List<String> SMALL_HEAP = List.of("-Xmx128m");

  /** Far above a JVM start and a render; bounds a regression that hangs. */
  private static final Duration EXIT = Duration.ofSeconds(90);

  @TempDir Path dir;

  @Test
  void outOfMemoryAtStartUpEndsTheProcess() throws Exception {
    Definitions defs = new Definitions(dir.resolve("defs"), 7001);
    defs.write(TEMPLATE, EXHAUSTS_THE_HEAP);

    try (ServeProcess serve =
        ServeProcess.start(dir, Map.of(), SMALL_HEAP, "--defs", defs.root().toString())) {
      OptionalInt status = serve.awaitExit(EXIT);

      assertThat(status).as("exit status; stderr: %s", serve.stderrText()).hasValue(3);
      assertThat(serve.stderrText()).contains("trellis: fatal error: java.lang.OutOfMemoryError");
    }
  }

  @Test
  void outOfMemoryInALiveReloadEndsTheProcess() throws Exception {
    Definitions defs = new Definitions(dir.resolve("defs"), 7001);

    try (ServeProcess serve =
        ServeProcess.start(
            dir, Map.of(), SMALL_HEAP, "--defs", defs.root().toString(), "--debounce-ms", "50")) {
      serve.awaitBanner();
      await().atMost(EXIT).until(() -> serve.admin("/readyz").statusCode() == 200);

      defs.write(TEMPLATE, EXHAUSTS_THE_HEAP);
      OptionalInt status = serve.awaitExit(EXIT);

      assertThat(status)
          .as(
              "exit status; stderr: %s; threads: %s",
              serve.stderrText(), status.isEmpty() ? serve.threadDump() : "")
          .hasValue(3);
      assertThat(serve.stderrText())
          .contains("trellis: fatal error while reloading")
          .contains("java.lang.OutOfMemoryError");
    }
  }

  @Test
  void theLaunchersFlagEndsTheProcessAtTheFirstOutOfMemory() throws Exception {
    Definitions defs = new Definitions(dir.resolve("defs"), 7001);
    defs.write(TEMPLATE, EXHAUSTS_THE_HEAP);

    try (ServeProcess serve =
        ServeProcess.start(
            dir,
            Map.of(),
            List.of("-Xmx128m", "-XX:+ExitOnOutOfMemoryError"),
            "--defs",
            defs.root().toString())) {
      OptionalInt status = serve.awaitExit(EXIT);

      // The JVM's own exit, before Trellis could see the error.
      assertThat(status).as("exit status; stderr: %s", serve.stderrText()).hasValue(3);
      assertThat(serve.stderrText()).doesNotContain("trellis: fatal error");
    }
  }
}
