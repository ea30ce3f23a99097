package dev.trellis.publish;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.analyze.AnalysisResult;
import dev.trellis.analyze.Finding;
import dev.trellis.analyze.Level;
import dev.trellis.model.DefinitionTree;
import dev.trellis.model.SourceLocation;
import dev.trellis.model.load.DefinitionLoader;
import dev.trellis.render.MeshRenderer;
import dev.trellis.render.RenderedGroup;
import dev.trellis.render.RenderedMesh;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The publish gate over the sample mesh: which groups an error finding holds back. */
class PublishGateTest {

  private static final RenderedMesh MESH =
      new MeshRenderer()
          .render(
              DefinitionLoader.load(DefinitionTree.fromDirectory(Path.of("..", "samples", "mesh")))
                  .orElseThrow());

  private static Finding finding(Level level, String file, String group) {
    return new Finding(
        "TRL999",
        level,
        "a problem",
        new SourceLocation(file, 3, 1),
        Optional.ofNullable(group),
        Optional.empty());
  }

  private static AnalysisResult analysis(Finding... findings) {
    return new AnalysisResult(List.of(findings), List.of());
  }

  private static Set<String> ids(List<RenderedGroup> groups) {
    return groups.stream().map(g -> g.group().id()).collect(Collectors.toSet());
  }

  @Test
  void withoutErrorsEveryGroupIsPublished() {
    PublishGate.Decision d =
        PublishGate.decide(
            MESH, analysis(finding(Level.WARNING, "services/ledger.yaml", "ledger")), Map.of());
    assertThat(d.blocked()).isEmpty();
    assertThat(ids(d.publish())).isEqualTo(MESH.groups().keySet());
  }

  @Test
  void anErrorInOneGroupsConfigHoldsBackThatGroupOnly() {
    PublishGate.Decision d =
        PublishGate.decide(
            MESH, analysis(finding(Level.ERROR, "services/ledger.yaml", "payments")), Map.of());
    assertThat(d.blocked()).containsOnlyKeys("payments");
    assertThat(ids(d.publish())).isEqualTo(without("payments"));
  }

  @Test
  void anErrorInADefinitionHoldsBackEveryGroupRenderedFromIt() {
    PublishGate.Decision d =
        PublishGate.decide(
            MESH, analysis(finding(Level.ERROR, "services/ledger.yaml", null)), Map.of());
    // ledger's own sidecars, its proxyless group, and everything rendered from its definition.
    assertThat(d.blocked().keySet()).contains("ledger", "grpc:ledger");
    assertThat(d.blocked().keySet()).doesNotContain("catalog", "cart", "pricing");
    for (RenderedGroup g : MESH.groups().values()) {
      boolean fromLedger =
          g.resources().stream()
              .anyMatch(r -> r.origin().definition().file().equals("services/ledger.yaml"));
      if (fromLedger) {
        assertThat(d.blocked()).containsKey(g.group().id());
      }
    }
  }

  @Test
  void anErrorNoGroupTracesToHoldsBackEverything() {
    PublishGate.Decision d =
        PublishGate.decide(MESH, analysis(finding(Level.ERROR, "mesh.yaml", null)), Map.of());
    assertThat(d.blocked().keySet()).isEqualTo(MESH.groups().keySet());
    assertThat(d.publish()).isEmpty();
  }

  @Test
  void aHeldBackGroupKeepsWhatItServes() {
    RenderedGroup old = MESH.groups().get("ledger");
    PublishedGroup served = new PublishedGroup(old, null, Instant.EPOCH);
    PublishGate.Decision d =
        PublishGate.decide(
            MESH,
            analysis(finding(Level.ERROR, "services/ledger.yaml", "ledger")),
            Map.of("ledger", served));
    assertThat(d.publish()).contains(old);
    assertThat(ids(d.publish())).isEqualTo(MESH.groups().keySet());
    assertThat(d.blocked().get("ledger")).hasSize(1);
  }

  private static Set<String> without(String id) {
    return MESH.groups().keySet().stream().filter(g -> !g.equals(id)).collect(Collectors.toSet());
  }
}
