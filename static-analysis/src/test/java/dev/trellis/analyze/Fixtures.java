package dev.trellis.analyze;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import com.google.protobuf.util.Durations;
import com.google.protobuf.util.JsonFormat.TypeRegistry;
import dev.trellis.model.Dependency;
import dev.trellis.model.Endpoints;
import dev.trellis.model.HostPort;
import dev.trellis.model.Mesh;
import dev.trellis.model.MeshConfig;
import dev.trellis.model.Protocol;
import dev.trellis.model.Provenance;
import dev.trellis.model.ServiceDef;
import dev.trellis.model.SourceLocation;
import dev.trellis.render.EnvoyTypes;
import dev.trellis.render.Origin;
import dev.trellis.render.ProxyGroup;
import dev.trellis.render.RenderedGroup;
import dev.trellis.render.RenderedMesh;
import dev.trellis.render.RenderedResource;
import dev.trellis.render.ResourceType;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.ApiListener;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.NonForwardingAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * Hand-built meshes and rendered groups that follow the rendered-resource naming of the brief, for
 * tests: valid as built, so a test breaks exactly one thing and expects exactly one finding.
 */
public final class Fixtures {

  public static final String TEMPLATE = "sidecar/config.yaml.j2";

  private Fixtures() {}

  /** The renderer's registry of the types typed_config may hold. */
  public static TypeRegistry types() {
    return EnvoyTypes.registry();
  }

  public static SourceLocation at(String file, int line, int column) {
    return new SourceLocation(file, line, column);
  }

  /** Two services: payments (HTTP, calls ledger) and ledger (HTTP, two static instances). */
  public static Mesh mesh() {
    ServiceDef payments =
        new ServiceDef(
            "payments",
            "team-pay",
            Protocol.HTTP,
            8080,
            true,
            Optional.empty(),
            new Endpoints(List.of(new HostPort("10.0.0.1", 8080)), Optional.empty()),
            List.of(new Dependency("ledger", Optional.of(java.time.Duration.ofSeconds(2)), 1)),
            Optional.empty(),
            new Provenance(
                "services/payments.yaml",
                Map.of(
                    "",
                    at("services/payments.yaml", 1, 1),
                    "dependencies[0].name",
                    at("services/payments.yaml", 9, 11))));
    ServiceDef ledger =
        new ServiceDef(
            "ledger",
            "team-ledger",
            Protocol.HTTP,
            8080,
            true,
            Optional.empty(),
            new Endpoints(
                List.of(new HostPort("10.0.1.1", 8080), new HostPort("10.0.1.2", 8080)),
                Optional.empty()),
            List.of(),
            Optional.empty(),
            new Provenance("services/ledger.yaml", Map.of("", at("services/ledger.yaml", 1, 1))));
    return new Mesh(
        MeshConfig.defaults(),
        new TreeMap<>(Map.of("payments", payments, "ledger", ledger)),
        new TreeMap<>());
  }

  public static RenderedResource resource(
      ResourceType type, String name, Message proto, SourceLocation definition) {
    return new RenderedResource(type, name, proto, new Origin(TEMPLATE, 3, definition));
  }

  public static ConfigSource ads() {
    return ConfigSource.newBuilder()
        .setAds(AggregatedConfigSource.getDefaultInstance())
        .setResourceApiVersion(io.envoyproxy.envoy.config.core.v3.ApiVersion.V3)
        .build();
  }

  public static Address address(String host, int port) {
    return Address.newBuilder()
        .setSocketAddress(SocketAddress.newBuilder().setAddress(host).setPortValue(port))
        .build();
  }

  public static HttpFilter router() {
    return HttpFilter.newBuilder()
        .setName("envoy.filters.http.router")
        .setTypedConfig(Any.pack(Router.getDefaultInstance()))
        .build();
  }

  public static HttpConnectionManager rdsHcm(String statPrefix, String routeConfig) {
    return HttpConnectionManager.newBuilder()
        .setStatPrefix(statPrefix)
        .setRds(Rds.newBuilder().setConfigSource(ads()).setRouteConfigName(routeConfig))
        .addHttpFilters(router())
        .build();
  }

  public static Listener httpListener(String name, String host, int port, HttpConnectionManager h) {
    return Listener.newBuilder()
        .setName(name)
        .setAddress(address(host, port))
        .addFilterChains(
            FilterChain.newBuilder()
                .addFilters(
                    Filter.newBuilder()
                        .setName("envoy.filters.network.http_connection_manager")
                        .setTypedConfig(Any.pack(h))))
        .build();
  }

  public static RouteConfiguration routes(String name, VirtualHost... hosts) {
    return RouteConfiguration.newBuilder().setName(name).addAllVirtualHosts(List.of(hosts)).build();
  }

  public static VirtualHost vhost(String name, List<String> domains, String cluster) {
    return VirtualHost.newBuilder()
        .setName(name)
        .addAllDomains(domains)
        .addRoutes(
            Route.newBuilder()
                .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                .setRoute(
                    RouteAction.newBuilder()
                        .setCluster(cluster)
                        .setTimeout(Durations.fromSeconds(2))))
        .build();
  }

  public static Cluster edsCluster(String name) {
    return Cluster.newBuilder()
        .setName(name)
        .setType(Cluster.DiscoveryType.EDS)
        .setConnectTimeout(Durations.fromMillis(250))
        .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(ads()))
        .build();
  }

  public static Cluster staticCluster(String name, String host, int port) {
    return Cluster.newBuilder()
        .setName(name)
        .setType(Cluster.DiscoveryType.STATIC)
        .setConnectTimeout(Durations.fromMillis(250))
        .setLoadAssignment(assignment(name, host + ":" + port))
        .build();
  }

  /** A ClusterLoadAssignment with one weighted locality holding {@code endpoints} ("host:port"). */
  public static ClusterLoadAssignment assignment(String cluster, String... endpoints) {
    LocalityLbEndpoints.Builder locality =
        LocalityLbEndpoints.newBuilder()
            .setLoadBalancingWeight(com.google.protobuf.UInt32Value.of(1));
    for (String e : endpoints) {
      String[] hp = e.split(":");
      locality.addLbEndpoints(
          LbEndpoint.newBuilder()
              .setHealthStatus(io.envoyproxy.envoy.config.core.v3.HealthStatus.HEALTHY)
              .setEndpoint(
                  Endpoint.newBuilder().setAddress(address(hp[0], Integer.parseInt(hp[1])))));
    }
    return ClusterLoadAssignment.newBuilder()
        .setClusterName(cluster)
        .addEndpoints(locality)
        .build();
  }

  /** The sidecar group of payments, as the brief's naming section describes it. */
  public static RenderedGroup paymentsSidecar() {
    return paymentsSidecar(UnaryOperator.identity());
  }

  /** The payments sidecar group with its resource list edited by {@code edit}. */
  public static RenderedGroup paymentsSidecar(UnaryOperator<List<RenderedResource>> edit) {
    SourceLocation svc = at("services/payments.yaml", 1, 1);
    SourceLocation dep = at("services/payments.yaml", 9, 11);
    List<RenderedResource> resources = new ArrayList<>();
    resources.add(
        resource(
            ResourceType.LISTENER,
            "inbound",
            httpListener("inbound", "0.0.0.0", 15006, rdsHcm("inbound", "inbound")),
            svc));
    resources.add(
        resource(
            ResourceType.ROUTE,
            "inbound",
            routes("inbound", vhost("payments", List.of("*"), "local_app")),
            svc));
    resources.add(
        resource(
            ResourceType.CLUSTER, "local_app", staticCluster("local_app", "127.0.0.1", 8080), svc));
    resources.add(
        resource(
            ResourceType.LISTENER,
            "outbound",
            httpListener("outbound", "127.0.0.1", 15001, rdsHcm("outbound", "outbound")),
            svc));
    resources.add(
        resource(
            ResourceType.ROUTE,
            "outbound",
            routes("outbound", vhost("ledger", List.of("ledger", "ledger:8080"), "ledger")),
            dep));
    resources.add(resource(ResourceType.CLUSTER, "ledger", edsCluster("ledger"), dep));
    resources.add(
        resource(
            ResourceType.ENDPOINT,
            "ledger",
            assignment("ledger", "10.0.1.1:15006", "10.0.1.2:15006"),
            at("services/ledger.yaml", 1, 1)));
    return new RenderedGroup(ProxyGroup.sidecar("payments"), edit.apply(resources));
  }

  /** The proxyless gRPC group grpc:payments calling ledger, and serving on 8080. */
  public static RenderedGroup paymentsGrpc() {
    SourceLocation svc = at("services/payments.yaml", 1, 1);
    SourceLocation dep = at("services/payments.yaml", 9, 11);
    HttpConnectionManager client =
        HttpConnectionManager.newBuilder()
            .setStatPrefix("ledger")
            .setRds(Rds.newBuilder().setConfigSource(ads()).setRouteConfigName("ledger"))
            .addHttpFilters(router())
            .build();
    Listener api =
        Listener.newBuilder()
            .setName("ledger")
            .setApiListener(ApiListener.newBuilder().setApiListener(Any.pack(client)))
            .build();
    HttpConnectionManager server =
        HttpConnectionManager.newBuilder()
            .setStatPrefix("server")
            .setRouteConfig(
                RouteConfiguration.newBuilder()
                    .setName("server")
                    .addVirtualHosts(
                        VirtualHost.newBuilder()
                            .setName("server")
                            .addDomains("*")
                            .addRoutes(
                                Route.newBuilder()
                                    .setMatch(RouteMatch.newBuilder().setPrefix(""))
                                    .setNonForwardingAction(
                                        NonForwardingAction.getDefaultInstance()))))
            .addHttpFilters(router())
            .build();
    String serverName = "grpc/server?xds.resource.listening_address=0.0.0.0:8080";
    List<RenderedResource> resources =
        List.of(
            resource(ResourceType.LISTENER, "ledger", api, dep),
            resource(
                ResourceType.ROUTE,
                "ledger",
                routes("ledger", vhost("ledger", List.of("ledger"), "ledger")),
                dep),
            resource(ResourceType.CLUSTER, "ledger", edsCluster("ledger"), dep),
            resource(
                ResourceType.ENDPOINT,
                "ledger",
                assignment("ledger", "10.0.1.1:8080"),
                at("services/ledger.yaml", 1, 1)),
            resource(
                ResourceType.LISTENER,
                serverName,
                httpListener(serverName, "0.0.0.0", 8080, server),
                svc));
    return new RenderedGroup(ProxyGroup.grpc("payments"), resources);
  }

  /** A rendered mesh of the given groups. */
  public static RenderedMesh rendered(Mesh mesh, RenderedGroup... groups) {
    Map<String, RenderedGroup> byId = new TreeMap<>();
    for (RenderedGroup g : groups) {
      byId.put(g.group().id(), g);
    }
    return new RenderedMesh(mesh, new TreeMap<>(byId));
  }

  /** {@code resources} with the one of {@code type} and {@code name} replaced by {@code proto}. */
  public static List<RenderedResource> replace(
      List<RenderedResource> resources, ResourceType type, String name, Message proto) {
    return resources.stream()
        .map(
            r ->
                r.type() == type && r.name().equals(name)
                    ? new RenderedResource(type, name, proto, r.origin())
                    : r)
        .toList();
  }

  /** {@code resources} without the one of {@code type} and {@code name}. */
  public static List<RenderedResource> remove(
      List<RenderedResource> resources, ResourceType type, String name) {
    return resources.stream().filter(r -> !(r.type() == type && r.name().equals(name))).toList();
  }

  /** The proto of the resource of {@code type} and {@code name} in {@code group}. */
  public static <T extends Message> T proto(
      RenderedGroup group, ResourceType type, String name, Class<T> cls) {
    return group.of(type).stream()
        .filter(r -> r.name().equals(name))
        .map(r -> cls.cast(r.proto()))
        .findFirst()
        .orElseThrow();
  }
}
