package dev.trellis.model.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.model.DefinitionTree;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden test: each {@code samples/broken/<case>/} is a small definitions repo with one kind of
 * loading error, and its {@code expected-errors.txt} lists exactly the errors loading reports.
 */
class BrokenSamplesTest {

  static final Path SAMPLES = Path.of("..", "samples", "broken");
  static final String EXPECTED = "expected-errors.txt";

  static Stream<String> cases() throws IOException {
    try (Stream<Path> dirs = Files.list(SAMPLES)) {
      return dirs
          .filter(Files::isDirectory)
          .map(p -> p.getFileName().toString())
          .sorted()
          .toList()
          .stream();
    }
  }

  @Test
  void thereAreCases() throws IOException {
    assertThat(cases()).hasSizeGreaterThanOrEqualTo(10);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void reportsExactlyTheExpectedErrors(String name) throws IOException {
    Path dir = SAMPLES.resolve(name);
    List<String> expected =
        Files.readAllLines(dir.resolve(EXPECTED), StandardCharsets.UTF_8).stream()
            .filter(line -> !line.isBlank())
            .toList();

    LoadResult result = DefinitionLoader.load(DefinitionTree.fromDirectory(dir));

    assertThat(result.errors().stream().map(LoadError::toString).toList())
        .containsExactlyElementsOf(expected);
    assertThat(result.mesh()).isEmpty();
  }
}
