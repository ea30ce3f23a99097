package dev.trellis.render;

import static dev.trellis.render.Protos.cluster;
import static dev.trellis.render.Protos.listener;
import static dev.trellis.render.Protos.names;
import static dev.trellis.render.Protos.unpack;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.model.Mesh;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector;
import org.junit.jupiter.api.Test;

/** {@code templates/<path>} in the definitions repo replaces the default of the same path. */
class OverrideTest {

  private final MeshRenderer renderer = new MeshRenderer();

  private RenderedMesh render(MeshFixture f) {
    return renderer.render(f.build());
  }

  @Test
  void overrideReplacesTheDefaultForItsRoleOnly() {
    RenderedMesh m =
        render(
            MeshFixture.shop()
                .override(
                    "sidecar/clusters.yaml.j2",
                    "- name: {{ ('only_' ~ service.name)|q }}\n  type: STATIC\n"));
    assertThat(names(m.groups().get("web"), ResourceType.CLUSTER)).containsExactly("only_web");
    assertThat(names(m.groups().get("public"), ResourceType.CLUSTER))
        .containsExactly("admin", "web");
    assertThat(names(m.groups().get("grpc:web"), ResourceType.CLUSTER)).containsExactly("orders");
  }

  @Test
  void commonEndpointsOverrideReachesEveryRole() {
    RenderedMesh m =
        render(
            MeshFixture.shop()
                .override(
                    "common/endpoints.yaml.j2",
                    "{%- for c in clusters %}\n- cluster_name: {{ ('x_' ~ c.name)|q }}\n{%- endfor %}\n"));
    assertThat(names(m.groups().get("web"), ResourceType.ENDPOINT))
        .containsExactly("x_catalog", "x_orders", "x_redis");
    assertThat(names(m.groups().get("public"), ResourceType.ENDPOINT))
        .containsExactly("x_admin", "x_web");
    assertThat(names(m.groups().get("grpc:orders"), ResourceType.ENDPOINT))
        .containsExactly("x_inventory", "x_payments");
  }

  @Test
  void roleTemplateTakesPrecedenceOverCommon() {
    RenderedMesh m =
        render(
            MeshFixture.shop().override("grpc/endpoints.yaml.j2", "- cluster_name: grpc_only\n"));
    assertThat(names(m.groups().get("grpc:orders"), ResourceType.ENDPOINT))
        .containsExactly("grpc_only");
    assertThat(names(m.groups().get("web"), ResourceType.ENDPOINT))
        .containsExactly("catalog", "orders", "redis");
  }

  @Test
  void includesResolveOverridesFirst() {
    // grpc clusters include the sidecar clusters template: first the default...
    MeshFixture including =
        MeshFixture.shop()
            .override("grpc/clusters.yaml.j2", "{% include 'sidecar/clusters.yaml.j2' %}\n");
    assertThat(names(render(including).groups().get("grpc:orders"), ResourceType.CLUSTER))
        .containsExactly("inventory", "local_app", "payments");
    // ...then, once overridden, the override.
    including.override("sidecar/clusters.yaml.j2", "- name: overridden\n");
    assertThat(names(render(including).groups().get("grpc:orders"), ResourceType.CLUSTER))
        .containsExactly("overridden");
  }

  @Test
  void templatesAreRecompiledWhenOverridesChange() {
    Mesh a = MeshFixture.shop().override("edge/clusters.yaml.j2", "- name: a\n").build();
    Mesh b = MeshFixture.shop().override("edge/clusters.yaml.j2", "- name: b\n").build();
    assertThat(names(renderer.render(a).groups().get("public"), ResourceType.CLUSTER))
        .containsExactly("a");
    assertThat(names(renderer.render(b).groups().get("public"), ResourceType.CLUSTER))
        .containsExactly("b");
    assertThat(
            names(
                renderer.render(MeshFixture.shop().build()).groups().get("public"),
                ResourceType.CLUSTER))
        .containsExactly("admin", "web");
  }

  @Test
  void overridesCanUseCommonEnvoyExtensions() {
    String listeners =
        "- name: inbound\n"
            + "  address: {socket_address: {address: 0.0.0.0, port_value: {{ mesh.inbound_port }}}}\n"
            + "  listener_filters:\n"
            + "  - name: envoy.filters.listener.tls_inspector\n"
            + "    typed_config: {\"@type\": type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector}\n"
            + "  filter_chains:\n"
            + "  - filters:\n"
            + "    - name: envoy.filters.network.http_connection_manager\n"
            + "      typed_config:\n"
            + "        \"@type\": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager\n"
            + "        stat_prefix: inbound\n"
            + "        route_config: {name: inbound}\n"
            + "        http_filters:\n"
            + "        - name: envoy.filters.http.rbac\n"
            + "          typed_config:\n"
            + "            \"@type\": type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC\n"
            + "            rules: {action: ALLOW, policies: {callers: {permissions: [{any: true}], principals: [{authenticated: {principal_name: {exact: {{ ('spiffe://' ~ mesh.trust_domain ~ '/web')|q }}}}}]}}}\n"
            + "        - name: envoy.filters.http.csrf\n"
            + "          typed_config: {\"@type\": type.googleapis.com/envoy.extensions.filters.http.csrf.v3.CsrfPolicy, filter_enabled: {default_value: {numerator: 100}}}\n"
            + "        - name: envoy.filters.http.cors\n"
            + "          typed_config: {\"@type\": type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors}\n"
            + "        - name: envoy.filters.http.lua\n"
            + "          typed_config: {\"@type\": type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua, default_source_code: {inline_string: \"-- hi\"}}\n"
            + "        - name: envoy.filters.http.local_ratelimit\n"
            + "          typed_config: {\"@type\": type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit, stat_prefix: rl}\n"
            + "        - name: envoy.filters.http.header_to_metadata\n"
            + "          typed_config: {\"@type\": type.googleapis.com/envoy.extensions.filters.http.header_to_metadata.v3.Config}\n"
            + "        - name: envoy.filters.http.router\n"
            + "          typed_config: {\"@type\": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}\n"
            + "    transport_socket:\n"
            + "      name: envoy.transport_sockets.tls\n"
            + "      typed_config:\n"
            + "        \"@type\": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext\n"
            + "        require_client_certificate: true\n";
    RenderedGroup web =
        render(MeshFixture.shop().override("sidecar/listeners.yaml.j2", listeners))
            .groups()
            .get("web");
    var inbound = listener(web, "inbound");
    unpack(inbound.getListenerFilters(0).getTypedConfig(), TlsInspector.class);
    var hcm = Protos.hcm(inbound);
    assertThat(hcm.getHttpFiltersList()).hasSize(7);
    RBAC rbac = unpack(hcm.getHttpFilters(0).getTypedConfig(), RBAC.class);
    assertThat(
            rbac.getRules()
                .getPoliciesOrThrow("callers")
                .getPrincipals(0)
                .getAuthenticated()
                .getPrincipalName()
                .getExact())
        .isEqualTo("spiffe://shop.local/web");
    assertThat(cluster(web, "local_app").getName()).isEqualTo("local_app");
  }
}
