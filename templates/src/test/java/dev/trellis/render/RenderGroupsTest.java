package dev.trellis.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trellis.model.HostPort;
import dev.trellis.model.Mesh;
import java.util.List;
import org.junit.jupiter.api.Test;

class RenderGroupsTest {

  private final MeshRenderer renderer = new MeshRenderer();
  private final Mesh shop = MeshFixture.shop().build();

  @Test
  void groupsAreSidecarsGatewaysAndGrpcServicesOrCallers() {
    assertThat(MeshRenderer.groups(shop))
        .extracting(ProxyGroup::id)
        .containsExactly(
            "admin",
            "catalog",
            "grpc:admin",
            "grpc:catalog",
            "grpc:inventory",
            "grpc:orders",
            "grpc:payments",
            "grpc:web",
            "inventory",
            "payments",
            "public",
            "web");
    assertThat(renderer.render(shop).groups().keySet())
        .containsExactlyElementsOf(MeshRenderer.groups(shop).stream().map(ProxyGroup::id).toList());
  }

  @Test
  void oneGroupRendersAsInTheWholeMesh() {
    RenderedMesh all = renderer.render(shop);
    for (ProxyGroup g : MeshRenderer.groups(shop)) {
      assertThat(renderer.renderGroup(shop, g, DiscoveredEndpoints.NONE))
          .isEqualTo(all.groups().get(g.id()));
    }
  }

  @Test
  void endpointsAloneRenderAsInTheFullGroup() {
    DiscoveredEndpoints more = s -> List.of(new HostPort("10.9.9.9", 1234, "zone-z"));
    for (ProxyGroup g : MeshRenderer.groups(shop)) {
      RenderedGroup full = renderer.renderGroup(shop, g, more);
      assertThat(renderer.renderEndpoints(shop, g, more)).isEqualTo(full.of(ResourceType.ENDPOINT));
    }
  }

  @Test
  void endpointChangesReachOnlyEndpoints() {
    DiscoveredEndpoints more = s -> List.of(new HostPort("10.9.9.9", 1234, "zone-z"));
    ProxyGroup web = ProxyGroup.sidecar("web");
    RenderedGroup before = renderer.renderGroup(shop, web, DiscoveredEndpoints.NONE);
    RenderedGroup after = renderer.renderGroup(shop, web, more);
    for (ResourceType t : ResourceType.values()) {
      if (t != ResourceType.ENDPOINT) {
        assertThat(after.of(t)).isEqualTo(before.of(t));
      }
    }
    assertThat(after.of(ResourceType.ENDPOINT)).isNotEqualTo(before.of(ResourceType.ENDPOINT));
  }

  @Test
  void unknownGroupIsRejected() {
    assertThatThrownBy(
            () ->
                renderer.renderGroup(shop, ProxyGroup.sidecar("orders"), DiscoveredEndpoints.NONE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("mesh has no proxy group 'orders'");
    assertThatThrownBy(
            () -> renderer.renderEndpoints(shop, ProxyGroup.edge("nope"), DiscoveredEndpoints.NONE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("mesh has no proxy group 'nope'");
  }

  @Test
  void renderedGroupKeepsTypeThenNameOrder() {
    RenderedGroup web = renderer.render(shop).groups().get("web");
    assertThat(web.resources())
        .extracting(r -> r.type() + "/" + r.name())
        .containsExactly(
            "CLUSTER/catalog",
            "CLUSTER/local_app",
            "CLUSTER/orders",
            "CLUSTER/redis",
            "ENDPOINT/catalog",
            "ENDPOINT/orders",
            "ENDPOINT/redis",
            "LISTENER/inbound",
            "LISTENER/outbound",
            "LISTENER/outbound_tcp_redis",
            "ROUTE/inbound",
            "ROUTE/outbound");
  }
}
