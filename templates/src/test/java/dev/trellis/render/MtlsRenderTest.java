package dev.trellis.render;

import static dev.trellis.render.Protos.cluster;
import static dev.trellis.render.Protos.listener;
import static dev.trellis.render.Protos.unpack;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.model.AuthzMode;
import dev.trellis.model.MtlsMode;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The inbound listener per mTLS mode, RBAC from the dependency graph, and mTLS origination. */
class MtlsRenderTest {

  private static final MeshRenderer RENDERER = new MeshRenderer();
  private static final String TD = "spiffe://shop.local/";

  /**
   * web (sidecar) calls api, store and legacy; api is exposed through the edge; worker (no sidecar)
   * calls store; recs (proxyless gRPC) calls rank (proxyless gRPC) and search.
   */
  private static MeshFixture fixture(MtlsMode api, MtlsMode store, AuthzMode authz) {
    return MeshFixture.mesh()
        .gateway("public", 8443, 8080)
        .service(
            "web",
            s ->
                s.http(8080)
                    .instances("10.0.0.1")
                    .dependsOn("api", null, 0)
                    .dependsOn("store", null, 0)
                    .dependsOn("legacy", null, 0))
        .service(
            "api",
            s ->
                s.http(8081)
                    .mtls(api)
                    .authz(authz)
                    .instances("10.0.0.2")
                    .expose("public", List.of("api.example.com"), List.of()))
        .service("store", s -> s.tcp(5432).mtls(store).authz(authz).instances("10.0.0.3"))
        .service("legacy", s -> s.http(8082).sidecar(false).mtls(MtlsMode.STRICT).instances("h"))
        .service(
            "worker",
            s -> s.http(8083).sidecar(false).instances("10.0.0.4").dependsOn("store", null, 0))
        .service(
            "recs",
            s ->
                s.grpc(9090)
                    .proxyless()
                    .instances("10.0.1.1")
                    .dependsOn("rank", null, 0)
                    .dependsOn("search", null, 0))
        .service("rank", s -> s.grpc(9091).proxyless().mtls(api).authz(authz).instances("10.0.1.2"))
        .service("search", s -> s.grpc(9092).sidecar(false).mtls(api).instances("10.0.1.3"));
  }

  private static RenderedMesh render(MtlsMode api, MtlsMode store, AuthzMode authz) {
    return RENDERER.render(fixture(api, store, authz).build());
  }

  @Test
  void disableServesOnePlaintextChainWithoutRbac() {
    Listener inbound =
        listener(
            render(MtlsMode.DISABLE, MtlsMode.DISABLE, AuthzMode.AUDIT).groups().get("api"),
            "inbound");
    assertThat(inbound.getListenerFiltersList()).isEmpty();
    assertThat(inbound.getFilterChainsList())
        .extracting(FilterChain::getName)
        .containsExactly("plaintext");
    FilterChain chain = inbound.getFilterChains(0);
    assertThat(chain.hasTransportSocket()).isFalse();
    assertThat(chain.hasFilterChainMatch()).isFalse();
    assertThat(httpFilterNames(chain)).containsExactly("envoy.filters.http.router");
  }

  @Test
  void permissiveTellsTlsFromPlaintextAndAuditsBoth() {
    Listener inbound =
        listener(
            render(MtlsMode.PERMISSIVE, MtlsMode.DISABLE, AuthzMode.AUDIT).groups().get("api"),
            "inbound");
    assertThat(inbound.getListenerFiltersList())
        .extracting(f -> f.getName())
        .containsExactly("envoy.filters.listener.tls_inspector");
    assertThat(inbound.getFilterChainsList())
        .extracting(FilterChain::getName)
        .containsExactly("mtls", "plaintext");
    FilterChain mtls = inbound.getFilterChains(0);
    FilterChain plain = inbound.getFilterChains(1);
    assertThat(mtls.getFilterChainMatch().getTransportProtocol()).isEqualTo("tls");
    assertThat(plain.getFilterChainMatch().getTransportProtocol()).isEqualTo("raw_buffer");
    assertThat(plain.hasTransportSocket()).isFalse();

    DownstreamTlsContext tls =
        unpack(mtls.getTransportSocket().getTypedConfig(), DownstreamTlsContext.class);
    assertThat(tls.getRequireClientCertificate().getValue()).isTrue();
    assertThat(tls.getCommonTlsContext().getTlsCertificateSdsSecretConfigsList())
        .containsExactly(sds("identity"));
    assertThat(tls.getCommonTlsContext().getValidationContextSdsSecretConfig())
        .isEqualTo(sds("trust_bundle"));

    for (FilterChain chain : List.of(mtls, plain)) {
      assertThat(httpFilterNames(chain))
          .containsExactly("envoy.filters.http.rbac", "envoy.filters.http.router");
      RBAC rbac = httpRbac(chain);
      assertThat(rbac.hasRules()).isFalse();
      assertThat(rbac.getShadowRulesStatPrefix()).isEqualTo("audit_");
      assertThat(principals(rbac.getShadowRules().getPoliciesMap().get("declared-callers")))
          .containsExactly(TD + "gateway/public", TD + "service/web");
    }
  }

  @Test
  void strictServesOnlyMtlsAndEnforceDeniesUndeclaredCallers() {
    Listener inbound =
        listener(
            render(MtlsMode.STRICT, MtlsMode.DISABLE, AuthzMode.ENFORCE).groups().get("api"),
            "inbound");
    assertThat(inbound.getListenerFiltersList()).isEmpty();
    assertThat(inbound.getFilterChainsList())
        .extracting(FilterChain::getName)
        .containsExactly("mtls");
    FilterChain mtls = inbound.getFilterChains(0);
    assertThat(mtls.hasFilterChainMatch()).isFalse();
    assertThat(mtls.getTransportSocket().getTypedConfig().is(DownstreamTlsContext.class)).isTrue();
    RBAC rbac = httpRbac(mtls);
    assertThat(rbac.hasShadowRules()).isFalse();
    assertThat(rbac.getRules().getAction())
        .isEqualTo(io.envoyproxy.envoy.config.rbac.v3.RBAC.Action.ALLOW);
    assertThat(principals(rbac.getRules().getPoliciesMap().get("declared-callers")))
        .containsExactly(TD + "gateway/public", TD + "service/web");
  }

  @Test
  void tcpServicesGetTheNetworkRbacFilterBeforeTheProxy() {
    Listener inbound =
        listener(
            render(MtlsMode.DISABLE, MtlsMode.STRICT, AuthzMode.ENFORCE).groups().get("store"),
            "inbound");
    FilterChain mtls = inbound.getFilterChains(0);
    assertThat(mtls.getFiltersList())
        .extracting(f -> f.getName())
        .containsExactly("envoy.filters.network.rbac", "envoy.filters.network.tcp_proxy");
    var rbac =
        unpack(
            mtls.getFilters(0).getTypedConfig(),
            io.envoyproxy.envoy.extensions.filters.network.rbac.v3.RBAC.class);
    assertThat(rbac.getStatPrefix()).isEqualTo("inbound");
    // worker has no sidecar: it is declared, so allowed, but it cannot present the identity.
    assertThat(principals(rbac.getRules().getPoliciesMap().get("declared-callers")))
        .containsExactly(TD + "service/web", TD + "service/worker");
  }

  @Test
  void aServiceNobodyDeclaresAllowsNoOneUnderEnforce() {
    RenderedMesh mesh =
        RENDERER.render(
            MeshFixture.mesh()
                .service(
                    "lonely",
                    s -> s.http(8080).mtls(MtlsMode.STRICT).authz(AuthzMode.ENFORCE).instances("h"))
                .build());
    RBAC rbac = httpRbac(listener(mesh.groups().get("lonely"), "inbound").getFilterChains(0));
    assertThat(rbac.hasRules()).isTrue();
    assertThat(rbac.getRules().getPoliciesMap()).isEmpty();
  }

  @Test
  void sidecarsOriginateMtlsToCalleesThatAcceptIt() {
    RenderedMesh mesh = render(MtlsMode.PERMISSIVE, MtlsMode.DISABLE, AuthzMode.AUDIT);
    RenderedGroup web = mesh.groups().get("web");
    UpstreamTlsContext toApi = upstream(cluster(web, "api"));
    assertThat(toApi.getCommonTlsContext().getTlsCertificateSdsSecretConfigsList())
        .containsExactly(sds("identity"));
    CommonTlsContext.CombinedCertificateValidationContext validation =
        toApi.getCommonTlsContext().getCombinedValidationContext();
    assertThat(validation.getValidationContextSdsSecretConfig()).isEqualTo(sds("trust_bundle"));
    assertThat(validation.getDefaultValidationContext().getMatchTypedSubjectAltNamesList())
        .containsExactly(
            SubjectAltNameMatcher.newBuilder()
                .setSanType(SubjectAltNameMatcher.SanType.URI)
                .setMatcher(StringMatcher.newBuilder().setExact(TD + "service/api"))
                .build());
    // store is disable; legacy declares strict but nothing in front of it terminates TLS.
    assertThat(cluster(web, "store").hasTransportSocket()).isFalse();
    assertThat(cluster(web, "legacy").hasTransportSocket()).isFalse();
    // The edge does the same toward the services it exposes.
    assertThat(upstream(cluster(mesh.groups().get("public"), "api"))).isEqualTo(toApi);
  }

  @Test
  void proxylessServersAreStrictOrPlaintextAndReferenceTheCertificateProvider() {
    RenderedMesh strict = render(MtlsMode.STRICT, MtlsMode.DISABLE, AuthzMode.ENFORCE);
    Listener server =
        listener(
            strict.groups().get("grpc:rank"),
            "grpc/server?xds.resource.listening_address=0.0.0.0:9091");
    FilterChain chain = server.getFilterChains(0);
    assertThat(chain.getName()).isEqualTo("mtls");
    DownstreamTlsContext tls =
        unpack(chain.getTransportSocket().getTypedConfig(), DownstreamTlsContext.class);
    assertThat(tls.getRequireClientCertificate().getValue()).isTrue();
    assertThat(tls.getCommonTlsContext().getTlsCertificateProviderInstance().getInstanceName())
        .isEqualTo("trellis");
    assertThat(
            tls.getCommonTlsContext()
                .getValidationContext()
                .getCaCertificateProviderInstance()
                .getInstanceName())
        .isEqualTo("trellis");
    assertThat(principals(httpRbac(chain).getRules().getPoliciesMap().get("declared-callers")))
        .containsExactly(TD + "service/recs");

    // The proxyless client presents its provider's certificate and checks the callee's ID.
    CertificateValidationContext check =
        upstream(cluster(strict.groups().get("grpc:recs"), "rank"))
            .getCommonTlsContext()
            .getValidationContext();
    assertThat(check.getCaCertificateProviderInstance().getInstanceName()).isEqualTo("trellis");
    assertThat(check.getMatchSubjectAltNamesList())
        .containsExactly(StringMatcher.newBuilder().setExact(TD + "service/rank").build());
    // search is a gRPC service with neither sidecar nor proxyless: plaintext whatever it says.
    assertThat(cluster(strict.groups().get("grpc:recs"), "search").hasTransportSocket()).isFalse();

    // grpc-xds cannot serve both on one port: permissive serves, and is called in, plaintext.
    RenderedMesh permissive = render(MtlsMode.PERMISSIVE, MtlsMode.DISABLE, AuthzMode.ENFORCE);
    FilterChain plain =
        listener(
                permissive.groups().get("grpc:rank"),
                "grpc/server?xds.resource.listening_address=0.0.0.0:9091")
            .getFilterChains(0);
    assertThat(plain.getName()).isEqualTo("plaintext");
    assertThat(plain.hasTransportSocket()).isFalse();
    assertThat(httpFilterNames(plain)).containsExactly("envoy.filters.http.router");
    assertThat(cluster(permissive.groups().get("grpc:recs"), "rank").hasTransportSocket())
        .isFalse();
  }

  private static SdsSecretConfig sds(String name) {
    return SdsSecretConfig.newBuilder()
        .setName(name)
        .setSdsConfig(
            ConfigSource.newBuilder()
                .setAds(
                    io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource.getDefaultInstance())
                .setResourceApiVersion(io.envoyproxy.envoy.config.core.v3.ApiVersion.V3))
        .build();
  }

  private static UpstreamTlsContext upstream(Cluster c) {
    assertThat(c.getTransportSocket().getName()).isEqualTo("envoy.transport_sockets.tls");
    return unpack(c.getTransportSocket().getTypedConfig(), UpstreamTlsContext.class);
  }

  private static HttpConnectionManager hcm(FilterChain chain) {
    return unpack(chain.getFilters(0).getTypedConfig(), HttpConnectionManager.class);
  }

  private static List<String> httpFilterNames(FilterChain chain) {
    return hcm(chain).getHttpFiltersList().stream().map(HttpFilter::getName).toList();
  }

  private static RBAC httpRbac(FilterChain chain) {
    return unpack(hcm(chain).getHttpFilters(0).getTypedConfig(), RBAC.class);
  }

  private static List<String> principals(Policy policy) {
    assertThat(policy.getPermissionsList()).hasSize(1);
    assertThat(policy.getPermissions(0).getAny()).isTrue();
    return policy.getPrincipalsList().stream()
        .map(Principal::getAuthenticated)
        .map(a -> a.getPrincipalName().getExact())
        .toList();
  }
}
