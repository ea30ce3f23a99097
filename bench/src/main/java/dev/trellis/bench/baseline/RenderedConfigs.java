package dev.trellis.bench.baseline;

import dev.trellis.model.Mesh;
import dev.trellis.mtls.CertificateAuthority;
import dev.trellis.mtls.SdsSecrets;
import dev.trellis.mtls.SpiffeId;
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
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Snapshots of exactly what Trellis renders ({@link MeshRenderer}, default templates, static
 * endpoints), so the baseline serves the same bytes Trellis does and differs only in the pipeline.
 * Like Trellis, it adds the SDS secrets the mTLS templates load over ADS to every group: {@value
 * SdsSecrets#IDENTITY} (a certificate of the group's service or gateway from a CA made for the run,
 * issued once per group) and {@value SdsSecrets#TRUST_BUNDLE}.
 */
public final class RenderedConfigs implements GroupConfigs {

  private final MeshRenderer renderer = new MeshRenderer();
  private final Map<String, Secret> identities = new ConcurrentHashMap<>();
  private CertificateAuthority ca;
  private Secret trustBundle;

  @Override
  public List<ProxyGroup> groups(Mesh mesh) {
    return MeshRenderer.groups(mesh);
  }

  @Override
  public Snapshot snapshot(Mesh mesh, ProxyGroup group) {
    return snapshot(mesh, renderer.renderGroup(mesh, group, DiscoveredEndpoints.NONE));
  }

  @Override
  public SortedMap<String, Snapshot> snapshots(Mesh mesh) {
    SortedMap<String, Snapshot> out = new TreeMap<>();
    renderer.render(mesh).groups().forEach((id, g) -> out.put(id, snapshot(mesh, g)));
    return out;
  }

  private Snapshot snapshot(Mesh mesh, RenderedGroup g) {
    Map<String, Secret> secrets = new TreeMap<>();
    for (Secret s : secrets(mesh, g.group())) {
      secrets.put(s.getName(), s);
    }
    g.protos(ResourceType.SECRET, Secret.class).forEach(s -> secrets.put(s.getName(), s));
    return SnapshotBundle.versioned(
        g.protos(ResourceType.CLUSTER, Cluster.class),
        g.protos(ResourceType.ENDPOINT, ClusterLoadAssignment.class),
        g.protos(ResourceType.LISTENER, Listener.class),
        g.protos(ResourceType.ROUTE, RouteConfiguration.class),
        List.copyOf(secrets.values()));
  }

  private synchronized List<Secret> secrets(Mesh mesh, ProxyGroup group) {
    if (ca == null) {
      ca = CertificateAuthority.generate(mesh.config().trustDomain(), Clock.systemUTC());
      trustBundle = SdsSecrets.trustBundle(ca.trustBundle());
    }
    Secret identity =
        identities.computeIfAbsent(
            group.id(),
            id ->
                SdsSecrets.identity(
                    ca.issue(SpiffeId.of(mesh.config().trustDomain(), group.name()))));
    return List.of(identity, trustBundle);
  }

  @Override
  public String toString() {
    return "Trellis' renderer";
  }
}
