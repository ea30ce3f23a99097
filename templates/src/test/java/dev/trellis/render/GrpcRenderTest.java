package dev.trellis.render;

import static dev.trellis.render.Protos.balancing;
import static dev.trellis.render.Protos.cluster;
import static dev.trellis.render.Protos.endpoints;
import static dev.trellis.render.Protos.hcm;
import static dev.trellis.render.Protos.listener;
import static dev.trellis.render.Protos.names;
import static dev.trellis.render.Protos.route;
import static dev.trellis.render.Protos.unpack;
import static dev.trellis.render.SidecarRenderTest.addresses;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import org.junit.jupiter.api.Test;

class GrpcRenderTest {

  private static final RenderedMesh SHOP = new MeshRenderer().render(MeshFixture.shop().build());
  private static final String ORDERS_SERVER =
      "grpc/server?xds.resource.listening_address=0.0.0.0:9090";

  private static RenderedGroup group(String id) {
    return SHOP.groups().get(id);
  }

  @Test
  void clientListenerIsAnApiListenerWithRdsAndRouter() {
    RenderedGroup orders = group("grpc:orders");
    assertThat(names(orders, ResourceType.LISTENER))
        .containsExactly(ORDERS_SERVER, "inventory", "payments");
    Listener payments = listener(orders, "payments");
    assertThat(payments.hasApiListener()).isTrue();
    HttpConnectionManager hcm = hcm(payments);
    assertThat(hcm.getRds().getRouteConfigName()).isEqualTo("payments");
    assertThat(hcm.getRds().getConfigSource().hasAds()).isTrue();
    assertThat(hcm.getHttpFiltersList()).hasSize(1);
    unpack(hcm.getHttpFilters(0).getTypedConfig(), Router.class);
  }

  @Test
  void routeCarriesTimeoutAsMaxStreamDurationAndGrpcRetries() {
    VirtualHost vh = route(group("grpc:orders"), "payments").getVirtualHosts(0);
    assertThat(vh.getDomainsList()).containsExactly("payments");
    Route r = vh.getRoutes(0);
    assertThat(r.getMatch().getPrefix()).isEmpty();
    RouteAction action = r.getRoute();
    assertThat(action.getCluster()).isEqualTo("payments");
    assertThat(action.getMaxStreamDuration().getMaxStreamDuration())
        .isEqualTo(Durations.fromSeconds(3));
    assertThat(action.getTimeout()).isEqualTo(Durations.fromSeconds(3));
    assertThat(action.getRetryPolicy().getRetryOn())
        .isEqualTo("unavailable,cancelled,resource-exhausted");
    assertThat(action.getRetryPolicy().getNumRetries().getValue()).isEqualTo(1);

    RouteAction inventory =
        route(group("grpc:orders"), "inventory").getVirtualHosts(0).getRoutes(0).getRoute();
    assertThat(inventory.hasMaxStreamDuration()).isFalse();
    assertThat(inventory.hasRetryPolicy()).isFalse();
  }

  @Test
  void clustersAreEdsOverAdsAndEndpointsWeightedAndHealthy() {
    Cluster payments = cluster(group("grpc:orders"), "payments");
    assertThat(payments.getType()).isEqualTo(Cluster.DiscoveryType.EDS);
    assertThat(payments.getEdsClusterConfig().getEdsConfig().hasAds()).isTrue();
    // least_request where the client has it (grpc-java), round robin where not (grpc-node, C-core).
    assertThat(balancing(payments))
        .containsExactly(
            "wrr_locality[least_request, round_robin]", "least_request", "round_robin");

    for (String name : names(group("grpc:orders"), ResourceType.ENDPOINT)) {
      ClusterLoadAssignment cla = endpoints(group("grpc:orders"), name);
      assertThat(cla.getEndpointsList()).isNotEmpty();
      assertThat(cla.getEndpointsList())
          .allSatisfy(l -> assertThat(l.getLoadBalancingWeight().getValue()).isPositive());
      assertThat(cla.getEndpointsList())
          .flatExtracting(LocalityLbEndpoints::getLbEndpointsList)
          .extracting(LbEndpoint::getHealthStatus)
          .containsOnly(HealthStatus.HEALTHY);
    }
    // payments has a sidecar: proxyless callers reach it through its inbound port.
    assertThat(addresses(endpoints(group("grpc:orders"), "payments")))
        .containsExactly("10.0.3.1:15006");
  }

  @Test
  void serverListenerHasTheNameXdsServerAsksFor() {
    Listener server = listener(group("grpc:orders"), ORDERS_SERVER);
    assertThat(server.getAddress().getSocketAddress().getAddress()).isEqualTo("0.0.0.0");
    assertThat(server.getAddress().getSocketAddress().getPortValue()).isEqualTo(9090);
    assertThat(server.getFilterChainsList()).hasSize(1);
    HttpConnectionManager hcm = hcm(server);
    Route r = hcm.getRouteConfig().getVirtualHosts(0).getRoutes(0);
    assertThat(r.hasNonForwardingAction()).isTrue();
    assertThat(hcm.getHttpFilters(0).getName()).isEqualTo("envoy.filters.http.router");
  }

  @Test
  void onlyGrpcDependenciesAndOnlyGrpcServers() {
    // web speaks HTTP and calls catalog (HTTP), orders (gRPC), redis (TCP).
    RenderedGroup web = group("grpc:web");
    assertThat(names(web, ResourceType.LISTENER)).containsExactly("orders");
    assertThat(names(web, ResourceType.CLUSTER)).containsExactly("orders");
    assertThat(names(web, ResourceType.ENDPOINT)).containsExactly("orders");
    assertThat(names(web, ResourceType.ROUTE)).containsExactly("orders");
    // payments speaks gRPC and calls nothing.
    RenderedGroup payments = group("grpc:payments");
    assertThat(payments.resources())
        .extracting(RenderedResource::name)
        .containsExactly("grpc/server?xds.resource.listening_address=0.0.0.0:9091");
  }
}
