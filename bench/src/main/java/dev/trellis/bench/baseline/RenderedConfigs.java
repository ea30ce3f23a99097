package dev.trellis.bench.baseline;

import dev.trellis.model.Mesh;
import dev.trellis.render.DiscoveredEndpoints;
import dev.trellis.render.MeshRenderer;
import dev.trellis.render.ProxyGroup;
import dev.trellis.render.RenderedGroup;
import dev.trellis.render.ResourceType;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Snapshots of exactly what Trellis renders ({@link MeshRenderer}, default templates, static
 * endpoints), so the baseline serves the same bytes Trellis does and differs only in the pipeline.
 */
public final class RenderedConfigs implements GroupConfigs {

  private final MeshRenderer renderer = new MeshRenderer();

  @Override
  public List<ProxyGroup> groups(Mesh mesh) {
    return MeshRenderer.groups(mesh);
  }

  @Override
  public Snapshot snapshot(Mesh mesh, ProxyGroup group) {
    return snapshot(renderer.renderGroup(mesh, group, DiscoveredEndpoints.NONE));
  }

  @Override
  public SortedMap<String, Snapshot> snapshots(Mesh mesh) {
    SortedMap<String, Snapshot> out = new TreeMap<>();
    renderer.render(mesh).groups().forEach((id, g) -> out.put(id, snapshot(g)));
    return out;
  }

  private static Snapshot snapshot(RenderedGroup g) {
    return SnapshotBundle.versioned(
        g.protos(ResourceType.CLUSTER, Cluster.class),
        g.protos(ResourceType.ENDPOINT, ClusterLoadAssignment.class),
        g.protos(ResourceType.LISTENER, Listener.class),
        g.protos(ResourceType.ROUTE, RouteConfiguration.class),
        g.protos(ResourceType.SECRET, Secret.class));
  }

  @Override
  public String toString() {
    return "Trellis' renderer";
  }
}
