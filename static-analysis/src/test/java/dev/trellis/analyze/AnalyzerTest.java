package dev.trellis.analyze;

import static dev.trellis.analyze.Fixtures.mesh;
import static dev.trellis.analyze.Fixtures.paymentsGrpc;
import static dev.trellis.analyze.Fixtures.paymentsSidecar;
import static dev.trellis.analyze.Fixtures.rendered;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.Durations;
import dev.trellis.model.Mesh;
import dev.trellis.render.RenderedGroup;
import dev.trellis.render.ResourceType;
import org.junit.jupiter.api.Test;

class AnalyzerTest {

  private final Analyzer analyzer = new Analyzer(RuleRegistry.standard(), Fixtures.types());

  @Test
  void validGroupsHaveNoFindings() {
    Mesh mesh = mesh();
    AnalysisResult result =
        analyzer.analyze(mesh, rendered(mesh, paymentsSidecar(), paymentsGrpc()));
    assertThat(result.findings()).isEmpty();
    assertThat(result.suppressed()).isEmpty();
  }

  @Test
  void findingIsPlacedAtTheDefinitionAndNamesResourceGroupAndTemplate() {
    Mesh mesh = mesh();
    RenderedGroup group =
        paymentsSidecar(
            rs ->
                Fixtures.replace(
                    rs,
                    ResourceType.CLUSTER,
                    "ledger",
                    Fixtures.edsCluster("ledger").toBuilder()
                        .setConnectTimeout(Durations.fromSeconds(0))
                        .build()));
    AnalysisResult result = analyzer.analyze(mesh, rendered(mesh, group));
    assertThat(result.findings())
        .containsExactly(
            new Finding(
                "TRL201",
                Level.ERROR,
                "Cluster 'ledger': field 'connect_timeout' must be greater than 0s"
                    + " (envoy.config.cluster.v3.Cluster.connect_timeout: duration.gt)"
                    + " [group 'payments', template 'sidecar/config.yaml.j2' line 3]",
                Fixtures.at("services/payments.yaml", 9, 11),
                java.util.Optional.of("payments"),
                java.util.Optional.of("Cluster/ledger")));
  }

  @Test
  void anEqualResourceInTwoGroupsIsReportedForEach() {
    Mesh mesh = mesh();
    RenderedGroup payments =
        paymentsSidecar(
            rs ->
                Fixtures.replace(
                    rs,
                    ResourceType.CLUSTER,
                    "ledger",
                    Fixtures.edsCluster("ledger").toBuilder()
                        .setConnectTimeout(Durations.fromSeconds(0))
                        .build()));
    RenderedGroup billing =
        new RenderedGroup(dev.trellis.render.ProxyGroup.sidecar("billing"), payments.resources());
    AnalysisResult first = analyzer.analyze(mesh, rendered(mesh, payments, billing));
    AnalysisResult again = analyzer.analyze(mesh, rendered(mesh, payments, billing));
    assertThat(first.findings())
        .extracting(f -> f.group().orElseThrow())
        .containsExactly("billing", "payments");
    assertThat(again).isEqualTo(first);
  }
}
