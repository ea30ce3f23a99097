package dev.trellis.render;

import static dev.trellis.render.Protos.cluster;
import static dev.trellis.render.Protos.endpoints;
import static dev.trellis.render.Protos.hcm;
import static dev.trellis.render.Protos.listener;
import static dev.trellis.render.Protos.names;
import static dev.trellis.render.Protos.route;
import static dev.trellis.render.SidecarRenderTest.addresses;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.model.Mesh;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import java.util.List;
import org.junit.jupiter.api.Test;

class EdgeRenderTest {

  private static final MeshRenderer RENDERER = new MeshRenderer();
  private static final RenderedGroup PUBLIC =
      RENDERER.render(MeshFixture.shop().build()).groups().get("public");

  @Test
  void gatewayWithoutCertificatesGetsAnHttpListenerWithRds() {
    assertThat(names(PUBLIC, ResourceType.LISTENER)).containsExactly("http");
    var http = listener(PUBLIC, "http");
    assertThat(http.getAddress().getSocketAddress().getAddress()).isEqualTo("0.0.0.0");
    assertThat(http.getAddress().getSocketAddress().getPortValue()).isEqualTo(8080);
    assertThat(hcm(http).getRds().getRouteConfigName()).isEqualTo("http");
    var filters = hcm(http).getHttpFiltersList();
    assertThat(filters.get(filters.size() - 1).getName()).isEqualTo("envoy.filters.http.router");
  }

  @Test
  void oneVirtualHostPerExposedService() {
    List<VirtualHost> hosts = route(PUBLIC, "http").getVirtualHostsList();
    assertThat(hosts).extracting(VirtualHost::getName).containsExactly("admin", "web");

    VirtualHost admin = hosts.get(0);
    assertThat(admin.getDomainsList()).containsExactly("admin.example.com");
    assertThat(admin.getRoutesList())
        .extracting(r -> r.getMatch().getPrefix())
        .containsExactly("/admin", "/api/admin");
    assertThat(admin.getRoutesList())
        .extracting(r -> r.getRoute().getCluster())
        .containsOnly("admin");

    VirtualHost web = hosts.get(1);
    assertThat(web.getDomainsList()).containsExactly("shop.example.com", "www.shop.example.com");
    assertThat(web.getRoutesList()).extracting(r -> r.getMatch().getPrefix()).containsExactly("/");
  }

  @Test
  void exposedServicesAreEdsClusters() {
    assertThat(names(PUBLIC, ResourceType.CLUSTER)).containsExactly("admin", "web");
    Cluster web = cluster(PUBLIC, "web");
    assertThat(web.getType()).isEqualTo(Cluster.DiscoveryType.EDS);
    assertThat(web.getEdsClusterConfig().getEdsConfig().hasAds()).isTrue();
    assertThat(addresses(endpoints(PUBLIC, "web")))
        .containsExactly("10.0.0.11:15006", "10.0.0.12:15006");
  }

  @Test
  void exposureWithoutHostsOrPathsMatchesEverything() {
    Mesh mesh =
        MeshFixture.mesh()
            .gateway("gw", 443, 80)
            .service(
                "api",
                s ->
                    s.grpc(9000)
                        .sidecar(false)
                        .instances("10.2.0.1")
                        .expose("gw", List.of(), List.of()))
            .build();
    RenderedGroup gw = RENDERER.render(mesh).groups().get("gw");
    VirtualHost api = route(gw, "http").getVirtualHosts(0);
    assertThat(api.getDomainsList()).containsExactly("*");
    assertThat(api.getRoutesList())
        .extracting(Route::getMatch)
        .extracting(m -> m.getPrefix())
        .containsExactly("/");
    assertThat(cluster(gw, "api").getTypedExtensionProtocolOptionsMap())
        .containsKey("envoy.extensions.upstreams.http.v3.HttpProtocolOptions");
    assertThat(addresses(endpoints(gw, "api"))).containsExactly("10.2.0.1:9000");
  }

  @Test
  void gatewayWithoutHttpPortHasNoHttpListener() {
    Mesh mesh = MeshFixture.mesh().gateway("tls-only", 443, 0).build();
    RenderedGroup gw = RENDERER.render(mesh).groups().get("tls-only");
    assertThat(names(gw, ResourceType.LISTENER)).isEmpty();
    assertThat(route(gw, "http").getVirtualHostsList()).isEmpty();
  }
}
