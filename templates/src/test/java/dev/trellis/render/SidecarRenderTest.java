package dev.trellis.render;

import static dev.trellis.render.Protos.cluster;
import static dev.trellis.render.Protos.endpoints;
import static dev.trellis.render.Protos.hcm;
import static dev.trellis.render.Protos.listener;
import static dev.trellis.render.Protos.names;
import static dev.trellis.render.Protos.route;
import static dev.trellis.render.Protos.tcpProxy;
import static dev.trellis.render.Protos.unpack;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.Durations;
import dev.trellis.model.Mesh;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.util.List;
import org.junit.jupiter.api.Test;

class SidecarRenderTest {

  private static final MeshRenderer RENDERER = new MeshRenderer();
  private static final RenderedMesh SHOP = RENDERER.render(MeshFixture.shop().build());

  private static RenderedGroup group(String id) {
    return SHOP.groups().get(id);
  }

  @Test
  void sidecarGetsConfigForWhatItCallsAndNothingElse() {
    RenderedGroup web = group("web");
    assertThat(names(web, ResourceType.CLUSTER))
        .containsExactly("catalog", "local_app", "orders", "redis");
    assertThat(names(web, ResourceType.ENDPOINT)).containsExactly("catalog", "orders", "redis");
    assertThat(names(web, ResourceType.LISTENER))
        .containsExactly("inbound", "outbound", "outbound_tcp_redis");
    assertThat(names(web, ResourceType.ROUTE)).containsExactly("inbound", "outbound");

    RenderedGroup admin = group("admin");
    assertThat(names(admin, ResourceType.CLUSTER)).containsExactly("local_app", "orders");
    assertThat(names(admin, ResourceType.ENDPOINT)).containsExactly("orders");
  }

  @Test
  void inboundListenerRoutesToTheLocalApp() {
    Listener inbound = listener(group("web"), "inbound");
    assertThat(inbound.getAddress().getSocketAddress()).isEqualTo(socket("0.0.0.0", 15006));
    assertThat(inbound.getTrafficDirection()).isEqualTo(TrafficDirection.INBOUND);
    HttpConnectionManager hcm = hcm(inbound);
    assertThat(hcm.getRds().getRouteConfigName()).isEqualTo("inbound");
    assertThat(hcm.getRds().getConfigSource().hasAds()).isTrue();
    assertThat(hcm.getHttpFiltersList()).hasSize(1);
    assertThat(hcm.getHttpFilters(0).getName()).isEqualTo("envoy.filters.http.router");
    unpack(hcm.getHttpFilters(0).getTypedConfig(), Router.class);

    RouteConfiguration routes = route(group("web"), "inbound");
    VirtualHost vh = routes.getVirtualHosts(0);
    assertThat(vh.getDomainsList()).containsExactly("*");
    RouteAction action = vh.getRoutes(0).getRoute();
    assertThat(action.getCluster()).isEqualTo("local_app");
    assertThat(action.getTimeout()).isEqualTo(Durations.ZERO);

    Cluster local = cluster(group("web"), "local_app");
    assertThat(local.getType()).isEqualTo(Cluster.DiscoveryType.STATIC);
    assertThat(
            local.getLoadAssignment().getEndpoints(0).getLbEndpoints(0).getEndpoint().getAddress())
        .extracting(a -> a.getSocketAddress())
        .isEqualTo(socket("127.0.0.1", 8080));
    assertThat(local.getTypedExtensionProtocolOptionsMap()).isEmpty();
  }

  @Test
  void grpcAppIsReachedOverHttp2() {
    Cluster local = cluster(group("payments"), "local_app");
    HttpProtocolOptions options =
        unpack(
            local.getTypedExtensionProtocolOptionsOrThrow(
                "envoy.extensions.upstreams.http.v3.HttpProtocolOptions"),
            HttpProtocolOptions.class);
    assertThat(options.getExplicitHttpConfig().hasHttp2ProtocolOptions()).isTrue();
  }

  @Test
  void outboundListenerHasOneVirtualHostPerHttpDependency() {
    Listener outbound = listener(group("web"), "outbound");
    assertThat(outbound.getAddress().getSocketAddress()).isEqualTo(socket("127.0.0.1", 15001));
    assertThat(hcm(outbound).getRds().getRouteConfigName()).isEqualTo("outbound");

    RouteConfiguration routes = route(group("web"), "outbound");
    assertThat(routes.getVirtualHostsList())
        .extracting(VirtualHost::getName)
        .containsExactly("catalog", "orders");
    VirtualHost catalog = routes.getVirtualHosts(0);
    assertThat(catalog.getDomainsList()).containsExactly("catalog", "catalog:8081");
    RouteAction toCatalog = catalog.getRoutes(0).getRoute();
    assertThat(toCatalog.getCluster()).isEqualTo("catalog");
    assertThat(toCatalog.getTimeout()).isEqualTo(Durations.fromSeconds(2));
    assertThat(toCatalog.getRetryPolicy().getRetryOn()).isEqualTo("5xx,reset,connect-failure");
    assertThat(toCatalog.getRetryPolicy().getNumRetries().getValue()).isEqualTo(2);

    RouteAction toOrders = routes.getVirtualHosts(1).getRoutes(0).getRoute();
    assertThat(toOrders.getTimeout()).isEqualTo(Durations.fromMillis(1500));
    assertThat(toOrders.getRetryPolicy().getRetryOn().split(","))
        .contains("unavailable", "connect-failure");
    assertThat(toOrders.getRetryPolicy().getNumRetries().getValue()).isEqualTo(3);
  }

  @Test
  void dependencyWithoutTimeoutOrRetriesGetsNeither() {
    RouteAction toOrders =
        route(group("admin"), "outbound").getVirtualHosts(0).getRoutes(0).getRoute();
    assertThat(toOrders.getCluster()).isEqualTo("orders");
    assertThat(toOrders.hasTimeout()).isFalse();
    assertThat(toOrders.hasRetryPolicy()).isFalse();
  }

  @Test
  void tcpDependencyGetsItsOwnListener() {
    Listener redis = listener(group("web"), "outbound_tcp_redis");
    assertThat(redis.getAddress().getSocketAddress()).isEqualTo(socket("127.0.0.1", 6379));
    assertThat(tcpProxy(redis).getCluster()).isEqualTo("redis");
    assertThat(tcpProxy(redis).getMaxConnectAttempts().getValue()).isEqualTo(2);
    assertThat(route(group("web"), "outbound").getVirtualHostsList())
        .extracting(VirtualHost::getName)
        .doesNotContain("redis");
  }

  @Test
  void dependencyClustersUseEdsOverAds() {
    Cluster catalog = cluster(group("web"), "catalog");
    assertThat(catalog.getType()).isEqualTo(Cluster.DiscoveryType.EDS);
    assertThat(catalog.getEdsClusterConfig().getEdsConfig().hasAds()).isTrue();
    assertThat(catalog.getTypedExtensionProtocolOptionsMap()).isEmpty();
    assertThat(cluster(group("web"), "orders").getTypedExtensionProtocolOptionsMap())
        .containsKey("envoy.extensions.upstreams.http.v3.HttpProtocolOptions");
  }

  @Test
  void callersDialTheCalleeSidecarOrTheDeclaredPort() {
    // catalog has a sidecar: its instances are dialled at the mesh inbound port.
    ClusterLoadAssignment catalog = endpoints(group("web"), "catalog");
    assertThat(catalog.getEndpointsList())
        .extracting(l -> l.getLocality().getZone())
        .containsExactly("zone-a", "zone-b");
    assertThat(addresses(catalog)).containsExactly("10.0.1.1:15006", "10.0.1.2:15006");
    // orders is proxyless: its own port; zones weighted by their instance count.
    ClusterLoadAssignment orders = endpoints(group("web"), "orders");
    assertThat(addresses(orders))
        .containsExactly("10.0.2.1:9090", "10.0.2.2:9090", "10.0.2.3:9090");
    assertThat(orders.getEndpointsList())
        .extracting(l -> l.getLoadBalancingWeight().getValue())
        .containsExactly(1, 2);
    assertThat(orders.getEndpointsList())
        .flatExtracting(LocalityLbEndpoints::getLbEndpointsList)
        .extracting(LbEndpoint::getHealthStatus)
        .containsOnly(HealthStatus.HEALTHY);
    assertThat(addresses(endpoints(group("web"), "redis"))).containsExactly("10.0.9.1:6379");
  }

  @Test
  void tcpServiceSidecarProxiesBytes() {
    Mesh mesh =
        MeshFixture.mesh()
            .service("db", s -> s.tcp(5432).sidecar(true).instances("10.1.0.1"))
            .build();
    RenderedGroup db = RENDERER.render(mesh).groups().get("db");
    assertThat(tcpProxy(listener(db, "inbound")).getCluster()).isEqualTo("local_app");
    assertThat(names(db, ResourceType.ROUTE)).isEmpty();
    assertThat(names(db, ResourceType.LISTENER)).containsExactly("inbound");
  }

  @Test
  void meshPortsAreHonoured() {
    Mesh mesh =
        MeshFixture.mesh()
            .ports(16000, 16001)
            .service(
                "a", s -> s.http(80).sidecar(true).instances("10.1.0.1").dependsOn("b", null, 0))
            .service("b", s -> s.http(81).sidecar(true).instances("10.1.0.2"))
            .build();
    RenderedGroup a = RENDERER.render(mesh).groups().get("a");
    assertThat(listener(a, "inbound").getAddress().getSocketAddress().getPortValue())
        .isEqualTo(16000);
    assertThat(listener(a, "outbound").getAddress().getSocketAddress().getPortValue())
        .isEqualTo(16001);
    assertThat(addresses(endpoints(a, "b"))).containsExactly("10.1.0.2:16000");
  }

  @Test
  void discoveredEndpointsAreAddedToStaticOnes() {
    Mesh mesh = MeshFixture.shop().build();
    DiscoveredEndpoints k8s =
        svc ->
            svc.equals("catalog")
                ? List.of(
                    new dev.trellis.model.HostPort("10.0.1.9", 8081, "zone-a"),
                    new dev.trellis.model.HostPort("10.0.1.1", 8081, "zone-a"))
                : List.of();
    RenderedGroup web = RENDERER.renderGroup(mesh, ProxyGroup.sidecar("web"), k8s);
    assertThat(addresses(endpoints(web, "catalog")))
        .containsExactly("10.0.1.1:15006", "10.0.1.9:15006", "10.0.1.2:15006");
  }

  static List<String> addresses(ClusterLoadAssignment cla) {
    return cla.getEndpointsList().stream()
        .flatMap(l -> l.getLbEndpointsList().stream())
        .map(e -> e.getEndpoint().getAddress().getSocketAddress())
        .map(a -> a.getAddress() + ":" + a.getPortValue())
        .toList();
  }

  static SocketAddress socket(String host, int port) {
    return SocketAddress.newBuilder().setAddress(host).setPortValue(port).build();
  }
}
