package dev.trellis.analyze;

import static dev.trellis.analyze.Fixtures.at;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.model.DefinitionTree;
import dev.trellis.model.SourceLocation;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SuppressionsTest {

  private final RuleRegistry registry = RuleRegistry.standard();

  private static DefinitionTree tree(String file, String text) {
    return new DefinitionTree(new TreeMap<>(Map.of(file, text)));
  }

  private static Finding finding(String rule, SourceLocation at) {
    return new Finding(
        rule,
        Level.ERROR,
        "msg " + rule,
        at,
        java.util.Optional.empty(),
        java.util.Optional.empty());
  }

  private static final String PAYMENTS =
      String.join(
          "\n",
          "name: payments",
          "# trellis:ignore TRL203 reason=\"ledger is retired next sprint\"",
          "dependencies:",
          "  - name: ledger   # trellis:ignore TRL205, TRL206 reason=\"endpoints come from k8s\"",
          "port: 8080",
          "");

  @Test
  void commentSuppressesItsOwnLineAndTheLineBelow() {
    Suppressions s = Suppressions.scan(tree("services/payments.yaml", PAYMENTS), registry);
    assertThat(s.problems()).isEmpty();
    Finding below = finding("TRL203", at("services/payments.yaml", 3, 1));
    Finding sameLine = finding("TRL206", at("services/payments.yaml", 4, 11));
    Finding otherRule = finding("TRL201", at("services/payments.yaml", 3, 1));
    Finding twoBelow = finding("TRL203", at("services/payments.yaml", 4, 1));
    Finding otherFile = finding("TRL203", at("services/ledger.yaml", 3, 1));
    AnalysisResult r = s.apply(List.of(below, sameLine, otherRule, twoBelow, otherFile));
    assertThat(r.findings()).containsExactly(otherFile, otherRule, twoBelow);
    assertThat(r.suppressed())
        .containsExactly(
            new SuppressedFinding(
                below,
                Suppression.comment(
                    "ledger is retired next sprint", at("services/payments.yaml", 2, 1))),
            new SuppressedFinding(
                sameLine,
                Suppression.comment(
                    "endpoints come from k8s", at("services/payments.yaml", 4, 20))));
  }

  @Test
  void suppressionWithoutReasonSuppressesNothingAndIsAFinding() {
    Suppressions s =
        Suppressions.scan(
            tree("services/a.yaml", "name: a\n  # trellis:ignore TRL203\nport: 1\n"), registry);
    assertThat(s.problems())
        .containsExactly(
            Finding.of(
                Suppressions.MISSING_REASON,
                "trellis:ignore TRL203 gives no reason; add reason=\"...\"",
                at("services/a.yaml", 2, 3)));
    Finding f = finding("TRL203", at("services/a.yaml", 3, 1));
    assertThat(s.apply(List.of(f)).findings()).containsExactly(f);
  }

  @Test
  void unknownRetiredOrMissingRuleIdsAreFindings() {
    Suppressions s =
        Suppressions.scan(
            tree(
                "mesh.yaml",
                "# trellis:ignore TRL999 reason=\"typo\"\n"
                    + "# trellis:ignore reason=\"no id\"\n"
                    + "# trellis:ignore TRL2O3 TRL204\n"),
            registry);
    assertThat(s.problems())
        .containsExactly(
            Finding.of(
                Suppressions.UNKNOWN_RULE,
                "trellis:ignore names unknown rule 'TRL999'",
                at("mesh.yaml", 1, 1)),
            Finding.of(
                Suppressions.UNKNOWN_RULE,
                "trellis:ignore names no rule; write trellis:ignore TRLnnn reason=\"...\"",
                at("mesh.yaml", 2, 1)),
            Finding.of(
                Suppressions.UNKNOWN_RULE,
                "trellis:ignore names unknown rule 'TRL2O3'",
                at("mesh.yaml", 3, 1)),
            Finding.of(
                Suppressions.MISSING_REASON,
                "trellis:ignore TRL2O3,TRL204 gives no reason; add reason=\"...\"",
                at("mesh.yaml", 3, 1)));
  }

  @Test
  void onlyYamlFilesAreScanned() {
    Suppressions s =
        Suppressions.scan(tree("templates/sidecar.yaml.j2", "# trellis:ignore TRL999\n"), registry);
    assertThat(s.problems()).isEmpty();
  }

  @Test
  void analyzerReportsSuppressionProblemsAndAppliesTheRest() {
    var mesh = Fixtures.mesh();
    var group =
        Fixtures.paymentsSidecar(
            rs -> Fixtures.remove(rs, dev.trellis.render.ResourceType.ENDPOINT, "ledger"));
    // the ledger cluster traces to services/payments.yaml:9:11
    String text =
        "a: 1\n".repeat(7)
            + "# trellis:ignore TRL205 reason=\"k8s fills it\"\n"
            + "dependencies: [ledger]\n# trellis:ignore TRL207\n";
    Suppressions s = Suppressions.scan(tree("services/payments.yaml", text), registry);
    Analyzer analyzer = new Analyzer(registry, Fixtures.types());
    AnalysisResult r = analyzer.analyze(mesh, Fixtures.rendered(mesh, group), s);
    assertThat(r.findings()).extracting(Finding::ruleId).containsExactly("TRL101");
    assertThat(r.suppressed()).extracting(x -> x.finding().ruleId()).containsExactly("TRL205");
  }
}
