package dev.trellis.bench.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trellis.model.Mesh;
import dev.trellis.model.ServiceDef;
import org.junit.jupiter.api.Test;

class ChangeTest {

  private final Mesh mesh = MeshGenerator.generate(new MeshParams(30, 3, 5));

  @Test
  void routeChangeAltersOnlyTheFirstHttpDependencysTimeout() {
    ServiceDef s =
        mesh.services().values().stream().filter(x -> Change.routable(x, mesh)).findFirst().get();

    Mesh after = Change.parse("route:" + s.name() + ":3").applyTo(mesh);

    ServiceDef changed = after.service(s.name()).get();
    assertThat(changed.dependencies()).hasSameSizeAs(s.dependencies());
    assertThat(changed.dependencies())
        .filteredOn(d -> d.timeout().orElseThrow().toMillis() == 10_003)
        .hasSize(1);
    assertThat(after.services()).hasSameSizeAs(mesh.services());
    mesh.services()
        .forEach(
            (n, def) -> {
              if (!n.equals(s.name())) {
                assertThat(after.service(n)).contains(def);
              }
            });
  }

  @Test
  void endpointChangeReplacesTheLastEndpointDifferentlyPerStep() {
    String name = mesh.services().firstKey();
    ServiceDef one = new Change(Change.Kind.ENDPOINTS, name, 1).applyTo(mesh).service(name).get();
    ServiceDef two = new Change(Change.Kind.ENDPOINTS, name, 2).applyTo(mesh).service(name).get();

    var before = mesh.service(name).get().endpoints().staticEndpoints();
    assertThat(one.endpoints().staticEndpoints())
        .hasSize(3)
        .startsWith(before.get(0), before.get(1));
    assertThat(one.endpoints().staticEndpoints().get(2)).isNotEqualTo(before.get(2));
    assertThat(two.endpoints().staticEndpoints().get(2))
        .isNotEqualTo(one.endpoints().staticEndpoints().get(2));
  }

  @Test
  void parsesAndPrintsTheSameText() {
    assertThat(Change.parse("endpoints:ledger:7"))
        .isEqualTo(new Change(Change.Kind.ENDPOINTS, "ledger", 7))
        .hasToString("endpoints:ledger:7");
    assertThatThrownBy(() -> Change.parse("weights:ledger:1"))
        .hasMessage("change 'weights:ledger:1': kind 'weights' is not route or endpoints");
    assertThatThrownBy(() -> Change.parse("route:ledger"))
        .hasMessage("change 'route:ledger' is not <route|endpoints>:<service>:<step>");
    assertThatThrownBy(() -> Change.parse("route:nope:1").applyTo(mesh))
        .hasMessage("change route:nope:1: no service nope");
  }
}
