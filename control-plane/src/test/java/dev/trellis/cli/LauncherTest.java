package dev.trellis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The {@code ./trellis} launcher at the repo root. */
class LauncherTest {

  private static final Path LAUNCHER = Path.of("..", "trellis").toAbsolutePath().normalize();

  @Test
  void theJvmExitsOnOutOfMemory() throws Exception {
    // A template can exhaust the heap; a process that lives on after that never serves again.
    assertThat(Files.readAllLines(LAUNCHER))
        .filteredOn(line -> line.startsWith("exec java "))
        .singleElement()
        .asString()
        .startsWith("exec java -XX:+ExitOnOutOfMemoryError ");
  }
}
