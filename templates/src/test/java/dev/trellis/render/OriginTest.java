package dev.trellis.render;

import static dev.trellis.render.Protos.lineOf;
import static dev.trellis.render.Protos.resource;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.model.Mesh;
import dev.trellis.model.ServiceDef;
import dev.trellis.model.SourceLocation;
import org.junit.jupiter.api.Test;

/** Each resource knows its template line and the definition it was rendered for. */
class OriginTest {

  private final MeshRenderer renderer = new MeshRenderer();
  private final Mesh shop = MeshFixture.shop().build();
  private final RenderedMesh rendered = renderer.render(shop);

  private SourceLocation at(String service, String field) {
    ServiceDef s = shop.service(service).orElseThrow();
    return s.provenance().locate(field);
  }

  @Test
  void dependencyResourcesPointAtTheDependency() {
    RenderedGroup web = rendered.groups().get("web");
    assertThat(resource(web, ResourceType.CLUSTER, "orders").origin())
        .isEqualTo(
            new Origin(
                "sidecar/clusters.yaml.j2",
                lineOf("sidecar/clusters.yaml.j2", "- name: {{ dep.cluster|q }}"),
                at("web", "dependencies[1]")));
    assertThat(resource(web, ResourceType.ENDPOINT, "catalog").origin())
        .isEqualTo(
            new Origin(
                "common/endpoints.yaml.j2",
                lineOf("common/endpoints.yaml.j2", "- cluster_name:"),
                at("web", "dependencies[0]")));
    assertThat(resource(web, ResourceType.LISTENER, "outbound_tcp_redis").origin().definition())
        .isEqualTo(at("web", "dependencies[2]"));
    assertThat(at("web", "dependencies[2]").line()).isGreaterThan(1);
  }

  @Test
  void serviceResourcesPointAtTheService() {
    RenderedGroup web = rendered.groups().get("web");
    assertThat(resource(web, ResourceType.CLUSTER, "local_app").origin())
        .isEqualTo(
            new Origin(
                "sidecar/clusters.yaml.j2",
                lineOf("sidecar/clusters.yaml.j2", "- name: local_app"),
                at("web", "name")));
    assertThat(resource(web, ResourceType.LISTENER, "inbound").origin().templateLine())
        .isEqualTo(lineOf("sidecar/listeners.yaml.j2", "- name: inbound"));
    // The outbound listener serves all dependencies: it is the service's.
    assertThat(resource(web, ResourceType.LISTENER, "outbound").origin().definition())
        .isEqualTo(at("web", "name"));
  }

  @Test
  void edgeResourcesPointAtTheExposureOrTheGateway() {
    RenderedGroup gw = rendered.groups().get("public");
    assertThat(resource(gw, ResourceType.CLUSTER, "admin").origin().definition())
        .isEqualTo(at("admin", "edge"));
    assertThat(resource(gw, ResourceType.LISTENER, "http").origin().definition())
        .isEqualTo(shop.config().provenance().locate("gateways[0]"))
        .isEqualTo(new SourceLocation("mesh.yaml", 4, 5));
  }

  @Test
  void grpcResourcesPointAtTheirDependencyOrService() {
    RenderedGroup orders = rendered.groups().get("grpc:orders");
    assertThat(resource(orders, ResourceType.ROUTE, "payments").origin())
        .isEqualTo(
            new Origin(
                "grpc/routes.yaml.j2",
                lineOf("grpc/routes.yaml.j2", "- name: {{ dep.name|q }}"),
                at("orders", "dependencies[0]")));
    assertThat(
            resource(
                    orders,
                    ResourceType.LISTENER,
                    "grpc/server?xds.resource.listening_address=0.0.0.0:9090")
                .origin()
                .definition())
        .isEqualTo(at("orders", "name"));
  }

  @Test
  void resourcesFromAnIncludedTemplateNameThatTemplate() {
    Mesh mesh =
        MeshFixture.shop()
            .override(
                "sidecar/clusters.yaml.j2",
                "{#- our clusters -#}\n"
                    + "{%- for dep in dependencies %}\n"
                    + "{% include 'lib/eds.j2' %}\n"
                    + "{%- endfor %}\n")
            .override(
                "lib/eds.j2", "# an EDS cluster\n\n- name: {{ dep.cluster|q }}\n  type: EDS\n")
            .build();
    RenderedGroup web = renderer.render(mesh).groups().get("web");
    assertThat(resource(web, ResourceType.CLUSTER, "redis").origin())
        .isEqualTo(new Origin("lib/eds.j2", 3, at("web", "dependencies[2]")));
  }

  @Test
  void itemsNotStartingAtColumnZeroGetNoLine() {
    Mesh mesh =
        MeshFixture.shop()
            .override(
                "sidecar/clusters.yaml.j2", "[{name: local_app}, {name: {{ service.name|q }}}]\n")
            .build();
    RenderedGroup web = renderer.render(mesh).groups().get("web");
    assertThat(web.of(ResourceType.CLUSTER))
        .extracting(RenderedResource::origin)
        .containsOnly(new Origin("sidecar/clusters.yaml.j2", 0, at("web", "name")));
  }
}
