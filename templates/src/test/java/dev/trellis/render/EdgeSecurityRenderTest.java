package dev.trellis.render;

import static dev.trellis.render.Protos.cluster;
import static dev.trellis.render.Protos.listener;
import static dev.trellis.render.Protos.names;
import static dev.trellis.render.Protos.route;
import static dev.trellis.render.Protos.unpack;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.util.Durations;
import com.google.protobuf.util.JsonFormat;
import dev.trellis.model.DefinitionTree;
import dev.trellis.model.Mesh;
import dev.trellis.model.load.DefinitionLoader;
import dev.trellis.render.EnvoyLuaHarness.Header;
import dev.trellis.render.EnvoyLuaHarness.Outcome;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy;
import io.envoyproxy.envoy.extensions.filters.http.csrf.v3.CsrfPolicy;
import io.envoyproxy.envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit;
import io.envoyproxy.envoy.extensions.filters.http.lua.v3.Lua;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.http.early_header_mutation.header_mutation.v3.HeaderMutation;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsParameters;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The edge gateway's TLS, header hygiene and per-service protections, from YAML definitions. */
class EdgeSecurityRenderTest {

  private static final String MESH =
      """
      gateways:
        - name: public
          httpsPort: 8443
          httpPort: 8080
          tls:
            - hosts: [shop.example.com, www.shop.example.com]
              certFile: /etc/edge/shop.crt
              keyFile: /etc/edge/shop.key
            - hosts: [api.example.com]
              meshCa: true
          internalHeaderPrefix: x-shop-internal-
          maxRequestHeadersKb: 32
        - name: plain
          httpPort: 9080
      trafficDefaults: {timeout: 6s, circuitBreakers: {maxRequests: 300}}
      securityHeaders:
        contentSecurityPolicy: "default-src 'self'"
      """;

  private static final String WEB =
      """
      name: web
      owner: team-web
      protocol: http
      port: 8080
      endpoints: {static: ["10.0.0.1:8080"]}
      edge:
        gateway: public
        hosts: [shop.example.com, www.shop.example.com]
        paths: [/, /static]
        timeout: 10s
        csrf: enforce
        securityHeaders: {frameOptions: SAMEORIGIN, hsts: false}
        cookies: {allowed: [session, csrftoken], mode: enforce}
        rateLimit: {requestsPerSecond: 50, burst: 80}
      """;

  private static final String API =
      """
      name: api
      owner: team-api
      protocol: http
      port: 8080
      endpoints: {static: ["10.0.0.2:8080"]}
      edge:
        gateway: public
        hosts: [api.example.com]
        csrf: {mode: shadow, additionalOrigins: [shop.example.com, "*.partner.example.com"]}
        cors:
          allowOrigins: ["https://shop.example.com"]
          allowMethods: [GET, POST]
          allowHeaders: [content-type]
          allowCredentials: true
          maxAge: 10m
      """;

  private static final String DOCS =
      """
      name: docs
      owner: team-docs
      protocol: http
      port: 8080
      endpoints: {static: ["10.0.0.3:8080"]}
      edge: {gateway: plain, hosts: [docs.example.com], csrf: "off"}
      """;

  private static Mesh mesh() {
    Map<String, String> files = new TreeMap<>();
    files.put("mesh.yaml", MESH);
    files.put("services/web.yaml", WEB);
    files.put("services/api.yaml", API);
    files.put("services/docs.yaml", DOCS);
    return DefinitionLoader.load(new DefinitionTree(new TreeMap<>(files))).orElseThrow();
  }

  private static final RenderedMesh RENDERED = new MeshRenderer().render(mesh());
  private static final RenderedGroup PUBLIC = RENDERED.groups().get("public");
  private static final RenderedGroup PLAIN = RENDERED.groups().get("plain");

  private static HttpConnectionManager hcm(FilterChain chain) {
    return unpack(chain.getFilters(0).getTypedConfig(), HttpConnectionManager.class);
  }

  private static VirtualHost vhost(RouteConfiguration rc, String name) {
    return rc.getVirtualHostsList().stream()
        .filter(v -> v.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  private static HttpFilter filter(HttpConnectionManager hcm, String name) {
    return hcm.getHttpFiltersList().stream()
        .filter(f -> f.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no HTTP filter " + name));
  }

  @Test
  void withCertificatesTheGatewayServesHttpsBySniAndRedirectsHttp() {
    assertThat(names(PUBLIC, ResourceType.LISTENER)).containsExactly("http", "https");
    Listener https = listener(PUBLIC, "https");
    assertThat(https.getAddress().getSocketAddress().getPortValue()).isEqualTo(8443);
    assertThat(https.getListenerFilters(0).getName())
        .isEqualTo("envoy.filters.listener.tls_inspector");
    assertThat(https.getFilterChainsList())
        .extracting(c -> List.copyOf(c.getFilterChainMatch().getServerNamesList()))
        .containsExactly(
            List.of("shop.example.com", "www.shop.example.com"), List.of("api.example.com"));

    DownstreamTlsContext files =
        unpack(
            https.getFilterChains(0).getTransportSocket().getTypedConfig(),
            DownstreamTlsContext.class);
    var common = files.getCommonTlsContext();
    assertThat(common.getTlsParams().getTlsMinimumProtocolVersion())
        .isEqualTo(TlsParameters.TlsProtocol.TLSv1_2);
    assertThat(common.getAlpnProtocolsList()).containsExactly("h2", "http/1.1");
    assertThat(common.getTlsCertificates(0).getCertificateChain().getFilename())
        .isEqualTo("/etc/edge/shop.crt");
    assertThat(common.getTlsCertificates(0).getPrivateKey().getFilename())
        .isEqualTo("/etc/edge/shop.key");

    DownstreamTlsContext meshCa =
        unpack(
            https.getFilterChains(1).getTransportSocket().getTypedConfig(),
            DownstreamTlsContext.class);
    var sds = meshCa.getCommonTlsContext().getTlsCertificateSdsSecretConfigs(0);
    assertThat(sds.getName()).isEqualTo(MeshSecrets.edgeCertificate("api.example.com"));
    assertThat(sds.getSdsConfig().hasAds()).isTrue();

    for (FilterChain chain : https.getFilterChainsList()) {
      assertThat(hcm(chain).getRds().getRouteConfigName()).isEqualTo("https");
    }
    assertThat(vhostNames(route(PUBLIC, "https"))).containsExactly("api", "web");

    HttpConnectionManager http = hcm(listener(PUBLIC, "http").getFilterChains(0));
    assertThat(http.getRds().getRouteConfigName()).isEqualTo("http");
    assertThat(http.getHttpFiltersList())
        .extracting(HttpFilter::getName)
        .containsExactly("envoy.filters.http.router");
    Route redirect = route(PUBLIC, "http").getVirtualHosts(0).getRoutes(0);
    assertThat(route(PUBLIC, "http").getVirtualHosts(0).getDomainsList()).containsExactly("*");
    assertThat(redirect.getRedirect().getHttpsRedirect()).isTrue();
    assertThat(redirect.getRedirect().getPortRedirect()).isEqualTo(8443);
  }

  private static List<String> vhostNames(RouteConfiguration rc) {
    return rc.getVirtualHostsList().stream().map(VirtualHost::getName).toList();
  }

  @Test
  void withoutCertificatesHttpServesTheServices() {
    assertThat(names(PLAIN, ResourceType.LISTENER)).containsExactly("http");
    assertThat(names(PLAIN, ResourceType.ROUTE)).containsExactly("http");
    assertThat(vhostNames(route(PLAIN, "http"))).containsExactly("docs");
    HttpConnectionManager http = hcm(listener(PLAIN, "http").getFilterChains(0));
    assertThat(http.getHttpFiltersList())
        .extracting(HttpFilter::getName)
        .contains("envoy.filters.http.csrf");
  }

  @Test
  void theFrontDoorTreatsEveryRequestAsExternal() {
    HttpConnectionManager hcm = hcm(listener(PUBLIC, "https").getFilterChains(0));
    assertThat(hcm.getUseRemoteAddress().getValue()).isTrue();
    assertThat(hcm.getXffNumTrustedHops()).isZero();
    assertThat(hcm.getGenerateRequestId().getValue()).isTrue();
    assertThat(hcm.getPreserveExternalRequestId()).isFalse();
    assertThat(hcm.getMaxRequestHeadersKb().getValue()).isEqualTo(32);
    assertThat(hcm.getCommonHttpProtocolOptions().getHeadersWithUnderscoresAction())
        .isEqualTo(
            io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions.HeadersWithUnderscoresAction
                .REJECT_REQUEST);
    HeaderMutation early =
        unpack(hcm.getEarlyHeaderMutationExtensions(0).getTypedConfig(), HeaderMutation.class);
    assertThat(early.getMutationsList())
        .extracting(m -> m.getRemove())
        .contains("x-forwarded-for", "x-forwarded-host", "x-real-ip", "forwarded");

    assertThat(hcm.getHttpFiltersList())
        .extracting(HttpFilter::getName)
        .containsExactly(
            InternalHeaders.FILTER_NAME,
            "envoy.filters.http.local_ratelimit",
            "envoy.filters.http.cors",
            "envoy.filters.http.csrf",
            CookieMonitor.FILTER_NAME,
            "envoy.filters.http.router");
    CsrfPolicy off =
        unpack(filter(hcm, "envoy.filters.http.csrf").getTypedConfig(), CsrfPolicy.class);
    assertThat(off.getFilterEnabled().getDefaultValue().getNumerator()).isZero();
  }

  @Test
  void theInternalHeaderFilterRemovesTheGatewaysPrefixAsRendered() {
    HttpConnectionManager hcm = hcm(listener(PUBLIC, "https").getFilterChains(0));
    String script =
        unpack(filter(hcm, InternalHeaders.FILTER_NAME).getTypedConfig(), Lua.class)
            .getDefaultSourceCode()
            .getInlineString();
    Outcome outcome =
        new EnvoyLuaHarness(script, "rendered")
            .onRequest(
                List.of(
                    new Header("x-shop-internal-user", "admin"),
                    new Header("x-internal-user", "kept: not this gateway's prefix"),
                    new Header("accept", "*/*")),
                Map.of());
    assertThat(outcome.headers())
        .containsExactly(
            new Header("x-internal-user", "kept: not this gateway's prefix"),
            new Header("accept", "*/*"));
  }

  @Test
  void theCookieMonitorIsOnlyWiredWhereAServiceDeclaresCookies() {
    HttpConnectionManager plain = hcm(listener(PLAIN, "http").getFilterChains(0));
    assertThat(plain.getHttpFiltersList())
        .extracting(HttpFilter::getName)
        .doesNotContain(CookieMonitor.FILTER_NAME);
  }

  @Test
  void theRenderedCookieMonitorEnforcesTheRoutesAllowlist() throws Exception {
    HttpConnectionManager hcm = hcm(listener(PUBLIC, "https").getFilterChains(0));
    String script =
        unpack(filter(hcm, CookieMonitor.FILTER_NAME).getTypedConfig(), Lua.class)
            .getDefaultSourceCode()
            .getInlineString();
    assertThat(script).isEqualTo(CookieMonitor.script());

    Route webRoute = vhost(route(PUBLIC, "https"), "web").getRoutes(0);
    Struct metadata = webRoute.getMetadata().getFilterMetadataOrThrow(CookieMonitor.FILTER_NAME);
    assertThat(toMap(metadata))
        .isEqualTo(
            toMap(CookieMonitor.routeMetadata("web", "enforce", List.of("session", "csrftoken"))));

    Outcome outcome =
        new EnvoyLuaHarness(script, "rendered")
            .onResponse(
                List.of(
                    new Header(":status", "200"),
                    new Header("set-cookie", "session=1; Secure"),
                    new Header("set-cookie", "tracker=2")),
                toMap(metadata));
    assertThat(outcome.values("set-cookie")).containsExactly("session=1; Secure");

    // A service without cookies: no metadata, so the script leaves its responses alone.
    assertThat(vhost(route(PUBLIC, "https"), "api").getRoutes(0).hasMetadata()).isFalse();
  }

  private static Map<String, Object> toMap(Struct s) throws InvalidProtocolBufferException {
    return toMap(JsonFormat.printer().print(s));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> toMap(Object value) {
    try {
      ObjectMapper json = new ObjectMapper();
      String text = value instanceof String s ? s : json.writeValueAsString(value);
      return json.readValue(text, Map.class);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void csrfIsPerRouteEnforcedOrShadowWithExtraOrigins() {
    RouteConfiguration https = route(PUBLIC, "https");
    for (Route r : vhost(https, "web").getRoutesList()) {
      CsrfPolicy csrf =
          unpack(r.getTypedPerFilterConfigOrThrow("envoy.filters.http.csrf"), CsrfPolicy.class);
      assertThat(csrf.getFilterEnabled().getDefaultValue().getNumerator()).isEqualTo(100);
      assertThat(csrf.hasShadowEnabled()).isFalse();
    }
    CsrfPolicy api =
        unpack(
            vhost(https, "api")
                .getRoutes(0)
                .getTypedPerFilterConfigOrThrow("envoy.filters.http.csrf"),
            CsrfPolicy.class);
    assertThat(api.getFilterEnabled().getDefaultValue().getNumerator()).isZero();
    assertThat(api.getShadowEnabled().getDefaultValue().getNumerator()).isEqualTo(100);
    assertThat(api.getAdditionalOriginsList())
        .containsExactly(
            StringMatcher.newBuilder().setExact("shop.example.com").build(),
            StringMatcher.newBuilder().setSuffix(".partner.example.com").build());

    assertThat(
            vhost(route(PLAIN, "http"), "docs")
                .getRoutes(0)
                .containsTypedPerFilterConfig("envoy.filters.http.csrf"))
        .isFalse();
  }

  @Test
  void corsIsPerVirtualHost() {
    CorsPolicy cors =
        unpack(
            vhost(route(PUBLIC, "https"), "api")
                .getTypedPerFilterConfigOrThrow("envoy.filters.http.cors"),
            CorsPolicy.class);
    assertThat(cors.getAllowOriginStringMatchList())
        .containsExactly(StringMatcher.newBuilder().setExact("https://shop.example.com").build());
    assertThat(cors.getAllowMethods()).isEqualTo("GET,POST");
    assertThat(cors.getAllowHeaders()).isEqualTo("content-type");
    assertThat(cors.getAllowCredentials().getValue()).isTrue();
    assertThat(cors.getMaxAge()).isEqualTo("600");
    assertThat(
            vhost(route(PUBLIC, "https"), "web")
                .containsTypedPerFilterConfig("envoy.filters.http.cors"))
        .isFalse();
  }

  @Test
  void securityHeadersLayerServiceOverMeshOverBuiltIns() {
    assertThat(headers(vhost(route(PUBLIC, "https"), "web")))
        .containsExactly(
            Map.entry("x-content-type-options", "nosniff"),
            Map.entry("x-frame-options", "SAMEORIGIN"),
            Map.entry("referrer-policy", "strict-origin-when-cross-origin"),
            Map.entry("content-security-policy", "default-src 'self'"));
    assertThat(headers(vhost(route(PUBLIC, "https"), "api")))
        .containsKeys("strict-transport-security", "x-frame-options");
    assertThat(vhost(route(PUBLIC, "https"), "api").getResponseHeadersToAddList())
        .extracting(HeaderValueOption::getAppendAction)
        .containsOnly(HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD);
  }

  private static Map<String, String> headers(VirtualHost v) {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    v.getResponseHeadersToAddList()
        .forEach(h -> out.put(h.getHeader().getKey(), h.getHeader().getValue()));
    return out;
  }

  @Test
  void rateLimitIsATokenBucketPerRoute() {
    List<Route> routes = vhost(route(PUBLIC, "https"), "web").getRoutesList();
    assertThat(routes).hasSize(2);
    for (Route r : routes) {
      LocalRateLimit limit =
          unpack(
              r.getTypedPerFilterConfigOrThrow("envoy.filters.http.local_ratelimit"),
              LocalRateLimit.class);
      assertThat(limit.getTokenBucket().getMaxTokens()).isEqualTo(80);
      assertThat(limit.getTokenBucket().getTokensPerFill().getValue()).isEqualTo(50);
      assertThat(limit.getTokenBucket().getFillInterval()).isEqualTo(Durations.fromSeconds(1));
      assertThat(limit.getFilterEnforced().getDefaultValue().getNumerator()).isEqualTo(100);
    }
    assertThat(
            vhost(route(PUBLIC, "https"), "api")
                .getRoutes(0)
                .containsTypedPerFilterConfig("envoy.filters.http.local_ratelimit"))
        .isFalse();
  }

  @Test
  void edgeRoutesAndClustersTakeTheEdgeTimeoutAndTheMeshDefaults() {
    RouteConfiguration https = route(PUBLIC, "https");
    assertThat(vhost(https, "web").getRoutes(0).getRoute().getTimeout())
        .isEqualTo(Durations.fromSeconds(10));
    assertThat(vhost(https, "api").getRoutes(0).getRoute().getTimeout())
        .isEqualTo(Durations.fromSeconds(6));
    assertThat(vhost(https, "api").getRoutes(0).getRoute().hasRetryPolicy()).isFalse();
    assertThat(
            cluster(PUBLIC, "api")
                .getCircuitBreakers()
                .getThresholds(0)
                .getMaxRequests()
                .getValue())
        .isEqualTo(300);
    assertThat(cluster(PUBLIC, "api").getLbPolicy())
        .isEqualTo(io.envoyproxy.envoy.config.cluster.v3.Cluster.LbPolicy.LEAST_REQUEST);
  }
}
