package dev.trellis.analyze;

import static dev.trellis.analyze.Fixtures.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BaselineTest {

  private static Finding finding(String rule, String file, int line, String message) {
    return new Finding(
        rule, Level.ERROR, message, at(file, line, 3), Optional.of("payments"), Optional.empty());
  }

  private static final Finding OLD =
      finding(
          "TRL203",
          "services/payments.yaml",
          9,
          "RouteConfiguration 'outbound': x [group 'payments', template 't.j2' line 12]");

  @Test
  void fingerprintIgnoresDefinitionAndTemplateLinesButNotTheRest() {
    Finding moved =
        finding(
            "TRL203",
            "services/payments.yaml",
            14,
            "RouteConfiguration 'outbound': x [group 'payments', template 't.j2' line 40]");
    assertThat(moved.fingerprint()).isEqualTo(OLD.fingerprint()).hasSize(32);
    assertThat(finding("TRL204", "services/payments.yaml", 9, OLD.message()).fingerprint())
        .isNotEqualTo(OLD.fingerprint());
    assertThat(finding("TRL203", "services/ledger.yaml", 9, OLD.message()).fingerprint())
        .isNotEqualTo(OLD.fingerprint());
    assertThat(
            finding("TRL203", "services/payments.yaml", 9, OLD.message().replace("x", "y"))
                .fingerprint())
        .isNotEqualTo(OLD.fingerprint());
  }

  @Test
  void onlyNewFindingsCountAfterARoundTripThroughJson() {
    AnalysisResult before = new AnalysisResult(List.of(OLD), List.of());
    Baseline baseline = Baseline.parse(Baseline.of(before).toJson());
    Finding fresh = finding("TRL205", "services/payments.yaml", 9, "Cluster 'ledger': y");
    AnalysisResult after =
        baseline.apply(new AnalysisResult(List.of(OLD, fresh), List.of()), "lint-baseline.json");
    assertThat(after.findings()).containsExactly(fresh);
    assertThat(after.suppressed())
        .containsExactly(new SuppressedFinding(OLD, Suppression.baseline("lint-baseline.json")));
  }

  @Test
  void definitionAndTemplateErrorsAreNeverBaselined() {
    Finding invalid = finding("TRL103", "services/payments.yaml", 4, "unknown field 'prot0col'");
    Finding template = finding("TRL214", "templates/sidecar/clusters.yaml.j2", 3, "bad");
    AnalysisResult result = new AnalysisResult(List.of(OLD, invalid, template), List.of());
    assertThat(Baseline.of(result).size()).isEqualTo(1);
    String forged =
        "{\"version\": 1, \"findings\": [{\"fingerprint\": \""
            + invalid.fingerprint()
            + "\"}, {\"fingerprint\": \""
            + template.fingerprint()
            + "\"}]}";
    AnalysisResult after = Baseline.parse(forged).apply(result, "b");
    assertThat(after.findings()).containsExactlyInAnyOrder(OLD, invalid, template);
    assertThat(after.suppressed()).isEmpty();
  }

  @Test
  void aFingerprintCoversAsManyFindingsAsItIsListed() {
    Finding twin = finding("TRL203", "services/payments.yaml", 30, OLD.message());
    Baseline baseline = Baseline.of(new AnalysisResult(List.of(OLD), List.of()));
    AnalysisResult after = baseline.apply(new AnalysisResult(List.of(OLD, twin), List.of()), "b");
    assertThat(after.findings()).hasSize(1);
    assertThat(after.suppressed()).hasSize(1);
  }

  @Test
  void jsonIsSortedAndStable() {
    Finding a = finding("TRL205", "services/a.yaml", 1, "a");
    Finding b = finding("TRL203", "services/b.yaml", 1, "b");
    String one = Baseline.of(new AnalysisResult(List.of(a, b), List.of())).toJson();
    String two = Baseline.of(new AnalysisResult(List.of(b, a), List.of())).toJson();
    assertThat(one).isEqualTo(two).startsWith("{\n  \"version\": 1,\n  \"findings\": [\n");
    assertThat(Baseline.parse(one).size()).isEqualTo(2);
  }

  @Test
  void malformedBaselinesAreRejectedWithAReason() {
    assertThatThrownBy(() -> Baseline.parse("{"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("baseline is not JSON: ");
    assertThatThrownBy(() -> Baseline.parse("{\"version\": 2, \"findings\": []}"))
        .hasMessage("baseline must be an object with \"version\": 1 and a \"findings\" array");
    assertThatThrownBy(() -> Baseline.parse("{\"version\": 1, \"findings\": [{}]}"))
        .hasMessage("baseline entry without \"fingerprint\": {}");
  }
}
