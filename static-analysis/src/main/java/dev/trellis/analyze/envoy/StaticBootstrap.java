package dev.trellis.analyze.envoy;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.trellis.render.RenderedGroup;
import dev.trellis.render.ResourceType;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import java.util.HashMap;
import java.util.Map;

/**
 * One Envoy group's rendered config as a static bootstrap, for {@code envoy --mode validate}: what
 * the group gets over ADS placed inline — route configurations into their connection managers,
 * endpoint assignments into their clusters (EDS clusters become STATIC), secrets into {@code
 * static_resources} with the SDS references naming them directly.
 */
public final class StaticBootstrap {

  static final String NODE_ID = "trellis-lint";

  private final Map<String, RouteConfiguration> routes = new HashMap<>();
  private final Map<String, ClusterLoadAssignment> assignments = new HashMap<>();

  private StaticBootstrap(RenderedGroup group) {
    group
        .protos(ResourceType.ROUTE, RouteConfiguration.class)
        .forEach(r -> routes.put(r.getName(), r));
    group
        .protos(ResourceType.ENDPOINT, ClusterLoadAssignment.class)
        .forEach(a -> assignments.put(a.getClusterName(), a));
  }

  public static Bootstrap of(RenderedGroup group) {
    StaticBootstrap s = new StaticBootstrap(group);
    Bootstrap.Builder b = Bootstrap.newBuilder();
    b.setNode(Node.newBuilder().setId(NODE_ID).setCluster(group.group().id()));
    Bootstrap.StaticResources.Builder r = b.getStaticResourcesBuilder();
    group.protos(ResourceType.LISTENER, Listener.class).forEach(l -> r.addListeners(s.listener(l)));
    group.protos(ResourceType.CLUSTER, Cluster.class).forEach(c -> r.addClusters(s.cluster(c)));
    group.protos(ResourceType.SECRET, Secret.class).forEach(r::addSecrets);
    return b.build();
  }

  private Listener listener(Listener l) {
    Listener.Builder b = l.toBuilder();
    for (FilterChain.Builder chain : b.getFilterChainsBuilderList()) {
      chain(chain);
    }
    if (b.hasDefaultFilterChain()) {
      chain(b.getDefaultFilterChainBuilder());
    }
    return b.build();
  }

  private void chain(FilterChain.Builder chain) {
    for (Filter.Builder f : chain.getFiltersBuilderList()) {
      if (EnvoyIndex.holds(f.getTypedConfig(), HttpConnectionManager.getDescriptor())) {
        HttpConnectionManager hcm = unpack(f.getTypedConfig(), HttpConnectionManager.class);
        if (hcm.hasRds() && routes.containsKey(hcm.getRds().getRouteConfigName())) {
          hcm =
              hcm.toBuilder()
                  .clearRds()
                  .setRouteConfig(routes.get(hcm.getRds().getRouteConfigName()))
                  .build();
          f.setTypedConfig(Any.pack(hcm));
        }
      }
    }
    if (chain.hasTransportSocket()) {
      chain.setTransportSocket(staticSecrets(chain.getTransportSocket()));
    }
  }

  private Cluster cluster(Cluster c) {
    Cluster.Builder b = c.toBuilder();
    if (c.getType() == Cluster.DiscoveryType.EDS) {
      String name =
          c.getEdsClusterConfig().getServiceName().isEmpty()
              ? c.getName()
              : c.getEdsClusterConfig().getServiceName();
      b.setType(Cluster.DiscoveryType.STATIC).clearEdsClusterConfig();
      ClusterLoadAssignment a = assignments.get(name);
      b.setLoadAssignment(
          (a == null ? ClusterLoadAssignment.getDefaultInstance() : a)
              .toBuilder().setClusterName(c.getName()));
    }
    if (c.hasTransportSocket()) {
      b.setTransportSocket(staticSecrets(c.getTransportSocket()));
    }
    return b.build();
  }

  /** A TLS transport socket whose SDS references name static secrets instead of ADS ones. */
  private static TransportSocket staticSecrets(TransportSocket socket) {
    Any config = socket.getTypedConfig();
    if (EnvoyIndex.holds(config, UpstreamTlsContext.getDescriptor())) {
      UpstreamTlsContext t = unpack(config, UpstreamTlsContext.class);
      t = t.toBuilder().setCommonTlsContext(staticSecrets(t.getCommonTlsContext())).build();
      return socket.toBuilder().setTypedConfig(Any.pack(t)).build();
    }
    if (EnvoyIndex.holds(config, DownstreamTlsContext.getDescriptor())) {
      DownstreamTlsContext t = unpack(config, DownstreamTlsContext.class);
      t = t.toBuilder().setCommonTlsContext(staticSecrets(t.getCommonTlsContext())).build();
      return socket.toBuilder().setTypedConfig(Any.pack(t)).build();
    }
    return socket;
  }

  private static CommonTlsContext staticSecrets(CommonTlsContext c) {
    CommonTlsContext.Builder b = c.toBuilder();
    for (SdsSecretConfig.Builder s : b.getTlsCertificateSdsSecretConfigsBuilderList()) {
      s.clearSdsConfig();
    }
    if (b.hasValidationContextSdsSecretConfig()) {
      b.getValidationContextSdsSecretConfigBuilder().clearSdsConfig();
    }
    if (b.getCombinedValidationContext().hasValidationContextSdsSecretConfig()) {
      b.getCombinedValidationContextBuilder()
          .getValidationContextSdsSecretConfigBuilder()
          .clearSdsConfig();
    }
    return b.build();
  }

  private static <T extends com.google.protobuf.Message> T unpack(Any any, Class<T> type) {
    try {
      return any.unpack(type);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("rendered " + any.getTypeUrl() + " does not parse", e);
    }
  }
}
