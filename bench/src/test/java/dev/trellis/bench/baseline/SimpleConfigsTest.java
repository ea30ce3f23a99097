package dev.trellis.bench.baseline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.bench.mesh.Change;
import dev.trellis.bench.mesh.MeshGenerator;
import dev.trellis.bench.mesh.MeshParams;
import dev.trellis.model.Mesh;
import dev.trellis.model.ServiceDef;
import io.envoyproxy.controlplane.cache.Resources.ResourceType;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;

class SimpleConfigsTest {

  private final SimpleConfigs configs = new SimpleConfigs();

  private final Mesh mesh = MeshGenerator.generate(new MeshParams(40, 2, 11));

  @Test
  void sidecarSnapshotFollowsTheNamingScheme() {
    ServiceDef s =
        mesh.services().values().stream()
            .filter(x -> x.sidecar() && x.protocol().isHttp() && !x.dependencies().isEmpty())
            .findFirst()
            .get();

    Snapshot snap = configs.snapshots(mesh).get(s.name());

    assertThat(snap.listeners().resources()).containsKeys("inbound", "outbound");
    assertThat(snap.routes().resources()).containsOnlyKeys("inbound", "outbound");
    assertThat(snap.clusters().resources()).containsKey("local_app");
    s.dependencies()
        .forEach(
            d -> {
              assertThat(snap.clusters().resources()).containsKey(d.name());
              assertThat(snap.endpoints().resources()).containsKey(d.name());
            });
  }

  @Test
  void versionsAreContentHashesSoAnEndpointChangeMovesOnlyEds() {
    SortedMap<String, Snapshot> before = configs.snapshots(mesh);
    assertThat(configs.snapshots(mesh).get("public").version(ResourceType.CLUSTER))
        .isEqualTo(before.get("public").version(ResourceType.CLUSTER));
    String exposed = mesh.exposedThrough("public").keySet().iterator().next();

    Mesh after = new Change(Change.Kind.ENDPOINTS, exposed, 1).applyTo(mesh);
    Snapshot edge = configs.snapshots(after).get("public");

    assertThat(edge.version(ResourceType.ENDPOINT))
        .isNotEqualTo(before.get("public").version(ResourceType.ENDPOINT));
    for (ResourceType t :
        new ResourceType[] {ResourceType.CLUSTER, ResourceType.LISTENER, ResourceType.ROUTE}) {
      assertThat(edge.version(t)).isEqualTo(before.get("public").version(t));
    }
  }
}
