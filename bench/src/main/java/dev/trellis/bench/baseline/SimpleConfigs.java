package dev.trellis.bench.baseline;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.util.Durations;
import dev.trellis.model.Dependency;
import dev.trellis.model.EdgeExposure;
import dev.trellis.model.Gateway;
import dev.trellis.model.HostPort;
import dev.trellis.model.Mesh;
import dev.trellis.model.Protocol;
import dev.trellis.model.ServiceDef;
import dev.trellis.render.ProxyGroup;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The bench's own minimal config builder, independent of Trellis' templates: for each proxy group,
 * the resources the brief's naming scheme prescribes (sidecar inbound/outbound listeners and
 * routes, EDS clusters and load assignments; edge listener {@code http}), in a snapshot whose
 * per-type versions are content hashes, so that two processes build equal versions for equal meshes
 * and an endpoint-only change changes only the EDS version.
 */
public final class SimpleConfigs implements GroupConfigs {

  static final String LOCAL_APP = "local_app";
  private static final ConfigSource ADS =
      ConfigSource.newBuilder()
          .setAds(AggregatedConfigSource.getDefaultInstance())
          .setResourceApiVersion(ApiVersion.V3)
          .build();

  /** One group per service with a sidecar, one per gateway (no proxyless gRPC groups). */
  @Override
  public List<ProxyGroup> groups(Mesh mesh) {
    List<ProxyGroup> out = new ArrayList<>();
    mesh.services().values().stream()
        .filter(ServiceDef::sidecar)
        .forEach(s -> out.add(ProxyGroup.sidecar(s.name())));
    mesh.config().gateways().forEach(g -> out.add(ProxyGroup.edge(g.name())));
    out.sort(Comparator.naturalOrder());
    return out;
  }

  @Override
  public Snapshot snapshot(Mesh mesh, ProxyGroup group) {
    Resources r = new Resources();
    switch (group.kind()) {
      case SIDECAR -> sidecar(mesh, mesh.service(group.name()).orElseThrow(), r);
      case EDGE -> edge(mesh, mesh.gateway(group.name()).orElseThrow(), r);
      case GRPC ->
          throw new IllegalArgumentException("the baseline serves no gRPC group: " + group);
    }
    return SnapshotBundle.versioned(r.clusters, r.endpoints, r.listeners, r.routes, List.of());
  }

  private static final class Resources {
    final List<Cluster> clusters = new ArrayList<>();
    final List<ClusterLoadAssignment> endpoints = new ArrayList<>();
    final List<Listener> listeners = new ArrayList<>();
    final List<RouteConfiguration> routes = new ArrayList<>();

    void edsCluster(Mesh mesh, ServiceDef callee) {
      clusters.add(
          Cluster.newBuilder()
              .setName(callee.name())
              .setType(Cluster.DiscoveryType.EDS)
              .setConnectTimeout(Durations.fromSeconds(1))
              .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(ADS))
              .build());
      endpoints.add(loadAssignment(mesh, callee));
    }
  }

  private static void sidecar(Mesh mesh, ServiceDef s, Resources r) {
    int inboundPort = mesh.config().inboundPort();
    r.clusters.add(
        Cluster.newBuilder()
            .setName(LOCAL_APP)
            .setType(Cluster.DiscoveryType.STATIC)
            .setConnectTimeout(Durations.fromSeconds(1))
            .setLoadAssignment(
                ClusterLoadAssignment.newBuilder()
                    .setClusterName(LOCAL_APP)
                    .addEndpoints(
                        LocalityLbEndpoints.newBuilder()
                            .addLbEndpoints(lbEndpoint("127.0.0.1", s.port()))))
            .build());
    if (s.protocol().isHttp()) {
      r.listeners.add(listener("inbound", "0.0.0.0", inboundPort, hcm("inbound", "inbound")));
      r.routes.add(
          RouteConfiguration.newBuilder()
              .setName("inbound")
              .addVirtualHosts(
                  VirtualHost.newBuilder()
                      .setName(LOCAL_APP)
                      .addDomains("*")
                      .addRoutes(route("/", LOCAL_APP, Optional.empty(), 0)))
              .build());
    } else {
      r.listeners.add(
          listener(
              "inbound",
              "0.0.0.0",
              inboundPort,
              Filter.newBuilder()
                  .setName("envoy.filters.network.tcp_proxy")
                  .setTypedConfig(
                      Any.pack(
                          TcpProxy.newBuilder()
                              .setStatPrefix("inbound")
                              .setCluster(LOCAL_APP)
                              .build()))
                  .build()));
    }

    RouteConfiguration.Builder outbound = RouteConfiguration.newBuilder().setName("outbound");
    for (Dependency d : s.dependencies()) {
      ServiceDef callee = mesh.service(d.name()).orElseThrow();
      r.edsCluster(mesh, callee);
      if (callee.protocol() == Protocol.TCP) {
        r.listeners.add(
            listener(
                "outbound_tcp_" + callee.name(),
                "127.0.0.1",
                callee.port(),
                Filter.newBuilder()
                    .setName("envoy.filters.network.tcp_proxy")
                    .setTypedConfig(
                        Any.pack(
                            TcpProxy.newBuilder()
                                .setStatPrefix("outbound_tcp_" + callee.name())
                                .setCluster(callee.name())
                                .build()))
                    .build()));
      } else {
        outbound.addVirtualHosts(
            VirtualHost.newBuilder()
                .setName(callee.name())
                .addDomains(callee.name())
                .addDomains(callee.name() + ":" + callee.port())
                .addRoutes(route("/", callee.name(), d.timeout(), d.retries())));
      }
    }
    r.listeners.add(
        listener(
            "outbound", "127.0.0.1", mesh.config().outboundPort(), hcm("outbound", "outbound")));
    r.routes.add(outbound.build());
  }

  private static void edge(Mesh mesh, Gateway g, Resources r) {
    RouteConfiguration.Builder http = RouteConfiguration.newBuilder().setName("http");
    for (Map.Entry<String, ServiceDef> e : mesh.exposedThrough(g.name()).entrySet()) {
      ServiceDef s = e.getValue();
      EdgeExposure edge = s.edge().orElseThrow();
      r.edsCluster(mesh, s);
      VirtualHost.Builder vh =
          VirtualHost.newBuilder().setName(s.name()).addAllDomains(edge.hosts());
      for (String path : edge.paths()) {
        vh.addRoutes(route(path, s.name(), Optional.empty(), 0));
      }
      http.addVirtualHosts(vh);
    }
    r.listeners.add(listener("http", "0.0.0.0", g.httpPort(), hcm("http", "http")));
    r.routes.add(http.build());
  }

  private static ClusterLoadAssignment loadAssignment(Mesh mesh, ServiceDef callee) {
    LocalityLbEndpoints.Builder locality =
        LocalityLbEndpoints.newBuilder().setLoadBalancingWeight(UInt32Value.of(1));
    for (HostPort h : callee.endpoints().staticEndpoints()) {
      // Callers reach a service with a sidecar through that sidecar's inbound port.
      int port = callee.sidecar() ? mesh.config().inboundPort() : h.port();
      locality.addLbEndpoints(lbEndpoint(h.host(), port));
    }
    return ClusterLoadAssignment.newBuilder()
        .setClusterName(callee.name())
        .addEndpoints(locality)
        .build();
  }

  private static LbEndpoint lbEndpoint(String host, int port) {
    return LbEndpoint.newBuilder()
        .setEndpoint(Endpoint.newBuilder().setAddress(address(host, port)))
        .build();
  }

  private static Address address(String host, int port) {
    return Address.newBuilder()
        .setSocketAddress(SocketAddress.newBuilder().setAddress(host).setPortValue(port))
        .build();
  }

  private static Route route(
      String prefix, String cluster, Optional<java.time.Duration> timeout, int retries) {
    RouteAction.Builder action = RouteAction.newBuilder().setCluster(cluster);
    timeout.ifPresent(t -> action.setTimeout(Durations.fromMillis(t.toMillis())));
    if (retries > 0) {
      action.setRetryPolicy(
          RetryPolicy.newBuilder()
              .setRetryOn("5xx,connect-failure")
              .setNumRetries(UInt32Value.of(retries)));
    }
    return Route.newBuilder()
        .setMatch(RouteMatch.newBuilder().setPrefix(prefix))
        .setRoute(action)
        .build();
  }

  private static Filter hcm(String statPrefix, String routeConfig) {
    HttpConnectionManager hcm =
        HttpConnectionManager.newBuilder()
            .setStatPrefix(statPrefix)
            .setRds(Rds.newBuilder().setConfigSource(ADS).setRouteConfigName(routeConfig))
            .addHttpFilters(
                HttpFilter.newBuilder()
                    .setName("envoy.filters.http.router")
                    .setTypedConfig(Any.pack(Router.getDefaultInstance())))
            .build();
    return Filter.newBuilder()
        .setName("envoy.filters.network.http_connection_manager")
        .setTypedConfig(Any.pack(hcm))
        .build();
  }

  private static Listener listener(String name, String host, int port, Filter filter) {
    return Listener.newBuilder()
        .setName(name)
        .setAddress(address(host, port))
        .addFilterChains(FilterChain.newBuilder().addFilters(filter))
        .build();
  }

  @Override
  public String toString() {
    return "the bench's simple builder";
  }
}
