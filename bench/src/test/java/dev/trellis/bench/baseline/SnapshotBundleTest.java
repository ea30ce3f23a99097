package dev.trellis.bench.baseline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.bench.mesh.Change;
import dev.trellis.bench.mesh.MeshGenerator;
import dev.trellis.bench.mesh.MeshParams;
import dev.trellis.model.Mesh;
import io.envoyproxy.controlplane.cache.Resources.ResourceType;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import java.nio.file.Path;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotBundleTest {

  private final Mesh mesh = MeshGenerator.generate(new MeshParams(12, 2, 4));

  @Test
  void aBundleReadsBackToSnapshotsOfTheSameVersionsAndResources(@TempDir Path dir)
      throws Exception {
    SortedMap<String, Snapshot> built = new RenderedConfigs().snapshots(mesh);
    SnapshotBundle.write(dir.resolve("b"), built);

    SortedMap<String, Snapshot> read = SnapshotBundle.read(dir.resolve("b"));

    assertThat(read.keySet()).isEqualTo(built.keySet());
    assertThat(GroupConfigs.changed(built, read)).isEmpty();
    built.forEach(
        (group, snap) -> {
          for (ResourceType t : ResourceType.values()) {
            assertThat(read.get(group).resources(t)).isEqualTo(snap.resources(t));
          }
        });
  }

  @Test
  void anEndpointChangeMovesOnlyTheEdsVersionOfTheCallersRenderedGroups() {
    GroupConfigs configs = new RenderedConfigs();
    String callee =
        mesh.services().keySet().stream()
            .filter(s -> !mesh.callersOf(s).isEmpty())
            .findFirst()
            .orElseThrow();
    Mesh after = new Change(Change.Kind.ENDPOINTS, callee, 1).applyTo(mesh);

    SortedMap<String, Snapshot> before = configs.snapshotsDependingOn(mesh, callee);
    SortedMap<String, Snapshot> changed = configs.snapshotsDependingOn(after, callee);

    assertThat(GroupConfigs.changed(before, changed))
        .isNotEmpty()
        .allSatisfy(
            g -> {
              assertThat(changed.get(g).version(ResourceType.ENDPOINT))
                  .isNotEqualTo(before.get(g).version(ResourceType.ENDPOINT));
              assertThat(changed.get(g).version(ResourceType.CLUSTER))
                  .isEqualTo(before.get(g).version(ResourceType.CLUSTER));
              assertThat(changed.get(g).version(ResourceType.ROUTE))
                  .isEqualTo(before.get(g).version(ResourceType.ROUTE));
            });
  }
}
