package dev.trellis.analyze.lint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.analyze.AnalysisResult;
import dev.trellis.analyze.Finding;
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
 * The repo's broken-lint samples: each {@code samples/broken-lint/<case>/} (definitions that load
 * but break rules) raises exactly the findings its {@code expected-findings.txt} lists, as {@code
 * file:line:col: RULEID}.
 */
class BrokenLintSamplesTest {

  static final Path SAMPLES = Path.of("..", "samples");
  static final Path BROKEN = SAMPLES.resolve("broken-lint");
  static final String EXPECTED = "expected-findings.txt";

  private static final Linter LINTER = Linter.standard();

  static Stream<String> cases() throws IOException {
    try (Stream<Path> dirs = Files.list(BROKEN)) {
      return dirs
          .filter(Files::isDirectory)
          .map(p -> p.getFileName().toString())
          .sorted()
          .toList()
          .stream();
    }
  }

  private static List<String> findings(AnalysisResult result) {
    return result.findings().stream().map(BrokenLintSamplesTest::line).toList();
  }

  private static String line(Finding f) {
    return f.location() + ": " + f.ruleId();
  }

  @Test
  void thereAreCases() throws IOException {
    assertThat(cases()).hasSizeGreaterThanOrEqualTo(6);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void raisesExactlyTheExpectedFindings(String name) throws IOException {
    Path dir = BROKEN.resolve(name);
    List<String> actual = findings(LINTER.lint(DefinitionTree.fromDirectory(dir)));
    Path file = dir.resolve(EXPECTED);
    if (Boolean.getBoolean("trellis.golden.write")) {
      Files.writeString(file, String.join("\n", actual) + "\n", StandardCharsets.UTF_8);
    }
    List<String> expected =
        Files.readAllLines(file, StandardCharsets.UTF_8).stream()
            .filter(l -> !l.isBlank())
            .toList();
    assertThat(expected).as("a broken-lint case breaks at least one rule").isNotEmpty();
    assertThat(actual).containsExactlyElementsOf(expected);
  }
}
