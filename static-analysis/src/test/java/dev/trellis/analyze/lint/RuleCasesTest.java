package dev.trellis.analyze.lint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.analyze.AnalysisResult;
import dev.trellis.analyze.Finding;
import dev.trellis.analyze.Rule;
import dev.trellis.analyze.report.TextReporter;
import dev.trellis.model.DefinitionTree;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden cases per rule: {@code rules/<RULE-ID>-<name>/<case>/} under test resources is a
 * definitions repo, and {@code expected.txt} beside it is the text report of linting it. Every case
 * named {@code violating*} raises its rule, every case named {@code clean*} does not (the guard
 * against false positives).
 */
class RuleCasesTest {

  static final Path CASES = Path.of("src", "test", "resources", "rules");
  static final String EXPECTED = "expected.txt";

  private static final Linter LINTER = Linter.standard();

  /** Rule case directories, as {@code <rule dir>/<case>}. */
  static Stream<String> cases() throws IOException {
    try (Stream<Path> rules = Files.list(CASES)) {
      return rules
          .filter(Files::isDirectory)
          .flatMap(RuleCasesTest::subdirectories)
          .map(p -> CASES.relativize(p).toString().replace('\\', '/'))
          .sorted()
          .toList()
          .stream();
    }
  }

  private static Stream<Path> subdirectories(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(Files::isDirectory).toList().stream();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static AnalysisResult lint(Path dir) {
    return LINTER.lint(DefinitionTree.fromDirectory(dir));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void reportsExactlyTheExpectedFindings(String name) throws IOException {
    Path dir = CASES.resolve(name);
    String ruleId = name.substring(0, name.indexOf('-'));
    String caseName = name.substring(name.indexOf('/') + 1);
    AnalysisResult result = lint(dir);
    String report = new TextReporter().render(result);

    Path expected = dir.resolve(EXPECTED);
    if (Boolean.getBoolean("trellis.golden.write")) {
      Files.writeString(expected, report, StandardCharsets.UTF_8);
    }
    assertThat(expected)
        .as("%s/%s missing; this run reports:%n%s", name, EXPECTED, report)
        .exists();
    assertThat(report).isEqualTo(Files.readString(expected, StandardCharsets.UTF_8));

    List<String> ids = result.findings().stream().map(Finding::ruleId).toList();
    if (caseName.startsWith("violating")) {
      assertThat(ids).contains(ruleId);
    } else {
      assertThat(caseName).startsWith("clean");
      assertThat(ids).doesNotContain(ruleId);
    }
  }

  /**
   * Rules whose violations the definitions cannot produce through the renderer, or only with
   * megabytes of config or outside data, with where they are tested instead.
   */
  static final Map<String, String> TESTED_ELSEWHERE =
      Map.of(
          "TRL202", "the renderer rejects unknown @types first (TRL214); EnvoyChecksTest",
          "TRL211", "EnvoyChecksTest",
          "TRL212", "megabytes of config; EnvoyChecksTest",
          "TRL213", "megabytes of config; EnvoyChecksTest",
          "TRL215", "needs an Envoy binary; EnvoyValidateCheckTest with fake ones",
          "TRL405", "needs audit observations; RolloutChecksTest");

  @Test
  void everyRuleHasAViolatingAndACleanCase() throws IOException {
    List<String> all = cases().toList();
    for (Rule rule : LINTER.analyzer().registry().rules()) {
      if (TESTED_ELSEWHERE.containsKey(rule.id())) {
        continue;
      }
      String dir = rule.id() + "-" + rule.name() + "/";
      assertThat(all).as(rule.id()).anyMatch(c -> c.startsWith(dir + "violating"));
      assertThat(all).as(rule.id()).anyMatch(c -> c.startsWith(dir + "clean"));
    }
  }
}
