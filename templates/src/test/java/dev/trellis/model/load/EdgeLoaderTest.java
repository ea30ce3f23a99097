package dev.trellis.model.load;

import static dev.trellis.model.load.DefinitionLoaderTest.errors;
import static dev.trellis.model.load.DefinitionLoaderTest.mesh;
import static dev.trellis.model.load.DefinitionLoaderTest.service;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.model.EdgeExposure;
import dev.trellis.model.EdgeExposure.CookieMode;
import dev.trellis.model.EdgeExposure.Cookies;
import dev.trellis.model.EdgeExposure.Cors;
import dev.trellis.model.EdgeExposure.Csrf;
import dev.trellis.model.EdgeExposure.CsrfMode;
import dev.trellis.model.EdgeExposure.RateLimit;
import dev.trellis.model.Gateway;
import dev.trellis.model.Mesh;
import dev.trellis.model.SecurityHeaders.Header;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class EdgeLoaderTest {

  private static final String GATEWAY = "gateways: [{name: public}]\n";

  /** The service 'web' with an edge of the gateway 'public', then {@code edgeLines}. */
  private static String web(String... edgeLines) {
    String[] lines = new String[edgeLines.length + 3];
    lines[0] = "edge:";
    lines[1] = "  gateway: public";
    lines[2] = "  hosts: [shop.example.com]";
    System.arraycopy(edgeLines, 0, lines, 3, edgeLines.length);
    return service("web", lines);
  }

  private static EdgeExposure edge(String mesh, String... edgeLines) {
    return mesh("mesh.yaml", mesh, "services/web.yaml", web(edgeLines))
        .service("web")
        .orElseThrow()
        .edge()
        .orElseThrow();
  }

  private static List<String> edgeErrors(String... edgeLines) {
    return errors("mesh.yaml", GATEWAY, "services/web.yaml", web(edgeLines));
  }

  @Nested
  class Service {

    @Test
    void everyProtectionIsRead() {
      EdgeExposure e =
          edge(
              GATEWAY,
              "  timeout: 5s",
              "  csrf: {mode: enforce, additionalOrigins: [partner.example.com, '*.shop.example.com:8443']}",
              "  cors:",
              "    allowOrigins: ['https://app.example.com', 'http://localhost:3000']",
              "    allowMethods: [GET, PUT]",
              "    allowHeaders: [content-type, X-Requested-With]",
              "    allowCredentials: true",
              "    maxAge: 10m",
              "  securityHeaders:",
              "    contentSecurityPolicy: \"default-src 'self'\"",
              "    frameOptions: false",
              "  cookies: {allowed: [session, csrftoken], mode: enforce}",
              "  rateLimit: {requestsPerSecond: 50, burst: 100}");
      assertThat(e.timeout()).contains(Duration.ofSeconds(5));
      assertThat(e.csrf())
          .isEqualTo(
              new Csrf(
                  CsrfMode.ENFORCE, List.of("partner.example.com", "*.shop.example.com:8443")));
      assertThat(e.cors())
          .contains(
              new Cors(
                  List.of("https://app.example.com", "http://localhost:3000"),
                  List.of("GET", "PUT"),
                  List.of("content-type", "X-Requested-With"),
                  true,
                  Optional.of(Duration.ofMinutes(10))));
      assertThat(e.securityHeaders().values())
          .isEqualTo(
              Map.of(
                  Header.CONTENT_SECURITY_POLICY,
                  Optional.of("default-src 'self'"),
                  Header.FRAME_OPTIONS,
                  Optional.empty()));
      assertThat(e.cookies())
          .contains(new Cookies(List.of("session", "csrftoken"), CookieMode.ENFORCE));
      assertThat(e.rateLimit()).contains(new RateLimit(50, 100));
    }

    @Test
    void defaultsAreShadowCsrfAndNothingElse() {
      EdgeExposure e = edge(GATEWAY);
      assertThat(e)
          .isEqualTo(new EdgeExposure("public", List.of("shop.example.com"), List.of("/")));
      assertThat(e.csrf()).isEqualTo(new Csrf(CsrfMode.SHADOW, List.of()));
      assertThat(e.timeout()).isEmpty();
      assertThat(e.cors()).isEmpty();
      assertThat(e.cookies()).isEmpty();
      assertThat(e.rateLimit()).isEmpty();
    }

    @Test
    void shortFormsAndDefaultsOfTheParts() {
      EdgeExposure e =
          edge(
              GATEWAY,
              "  csrf: off",
              "  cors: {allowOrigins: ['*']}",
              "  cookies: {allowed: []}",
              "  rateLimit: {requestsPerSecond: 10}");
      assertThat(e.csrf().mode()).isEqualTo(CsrfMode.OFF);
      assertThat(e.cors().orElseThrow())
          .isEqualTo(
              new Cors(
                  List.of("*"),
                  List.of("GET", "HEAD", "POST"),
                  List.of(),
                  false,
                  Optional.empty()));
      assertThat(e.cookies()).contains(new Cookies(List.of(), CookieMode.MONITOR));
      assertThat(e.rateLimit()).contains(new RateLimit(10, 10));
    }

    @Test
    void cookieNamesAreKeptAsWrittenForStaticAnalysisToJudge() {
      EdgeExposure e = edge(GATEWAY, "  cookies: {allowed: ['bad name', 'ok']}");
      assertThat(e.cookies().orElseThrow().allowed()).containsExactly("bad name", "ok");
    }

    @Test
    void securityHeadersLayerServiceOverMeshOverBuiltIns() {
      Mesh mesh =
          mesh(
              "mesh.yaml",
              GATEWAY
                  + "securityHeaders:\n"
                  + "  hsts: max-age=600\n"
                  + "  contentSecurityPolicy: \"default-src 'self'\"\n"
                  + "  referrerPolicy: false\n",
              "services/web.yaml",
              web("  securityHeaders: {contentSecurityPolicy: false, frameOptions: SAMEORIGIN}"));
      EdgeExposure e = mesh.service("web").orElseThrow().edge().orElseThrow();
      assertThat(mesh.securityHeadersOf(e))
          .containsExactly(
              Map.entry("strict-transport-security", "max-age=600"),
              Map.entry("x-content-type-options", "nosniff"),
              Map.entry("x-frame-options", "SAMEORIGIN"));
      assertThat(mesh.securityHeadersOf(new EdgeExposure("public", List.of("a.b"), List.of("/"))))
          .containsExactly(
              Map.entry("strict-transport-security", "max-age=600"),
              Map.entry("x-content-type-options", "nosniff"),
              Map.entry("x-frame-options", "DENY"),
              Map.entry("content-security-policy", "default-src 'self'"));
    }

    @Test
    void theEdgeTimeoutFallsBackToTheMeshDefault() {
      Mesh mesh =
          mesh(
              "mesh.yaml",
              GATEWAY + "trafficDefaults: {timeout: 7s}\n",
              "services/web.yaml",
              web(),
              "services/api.yaml",
              service("api", "edge: {gateway: public, hosts: [api.example.com], timeout: 2s}"),
              "services/db.yaml",
              service("db"));
      assertThat(mesh.edgeTimeoutOf(mesh.service("web").orElseThrow()))
          .contains(Duration.ofSeconds(7));
      assertThat(mesh.edgeTimeoutOf(mesh.service("api").orElseThrow()))
          .contains(Duration.ofSeconds(2));
      assertThat(mesh.edgeTimeoutOf(mesh.service("db").orElseThrow())).isEmpty();
    }

    @Test
    void badProtectionsAreReportedWithTheirFieldPath() {
      assertThat(
              edgeErrors(
                  "  csrf: {mode: strict, additionalOrigins: ['https://partner.example.com']}",
                  "  cors:",
                  "    allowOrigins: ['https://app.example.com/', 'app.example.com', '*']",
                  "    allowMethods: [get]",
                  "    allowHeaders: ['x y']",
                  "    allowCredentials: yes",
                  "    maxAge: 1500ms",
                  "  securityHeaders: {hsts: off, frameOptions: ' DENY', xss: 1}",
                  "  cookies: {allowed: [a, a], mode: strip}",
                  "  rateLimit: {requestsPerSecond: 100, burst: 10}",
                  "  timeout: 0s"))
          .containsExactly(
              "services/web.yaml:8:16: edge.csrf.mode: invalid value 'strict' (expected one of:"
                  + " off, shadow, enforce)",
              "services/web.yaml:8:44: edge.csrf.additionalOrigins[0]:"
                  + " 'https://partner.example.com' is not an origin host (a lowercase hostname"
                  + " with an optional :port and no scheme, e.g. partner.example.com; a leading"
                  + " '*.' is allowed)",
              "services/web.yaml:10:20: edge.cors.allowOrigins[0]: 'https://app.example.com/' is"
                  + " not an origin (http:// or https:// and a lowercase hostname with an optional"
                  + " :port and no path, e.g. https://shop.example.com; or * for any)",
              "services/web.yaml:10:48: edge.cors.allowOrigins[1]: 'app.example.com' is not an"
                  + " origin (http:// or https:// and a lowercase hostname with an optional :port"
                  + " and no path, e.g. https://shop.example.com; or * for any)",
              "services/web.yaml:11:20: edge.cors.allowMethods[0]: 'get' is not an HTTP method"
                  + " (upper-case letters, e.g. GET)",
              "services/web.yaml:12:20: edge.cors.allowHeaders[0]: 'x y' is not a header name"
                  + " (letters, digits and '-', starting with a letter or digit, at most 64"
                  + " characters; or *)",
              "services/web.yaml:13:23: edge.cors.allowCredentials: expected true or false, got"
                  + " 'yes'",
              "services/web.yaml:14:13: edge.cors.maxAge: '1500ms' is not a whole number of"
                  + " seconds",
              "services/web.yaml:15:27: edge.securityHeaders.hsts: expected a header value, or"
                  + " false to send none; got 'off' (quote it to send it as the value)",
              "services/web.yaml:15:46: edge.securityHeaders.frameOptions: ' DENY' is not a"
                  + " header value (printable ASCII and spaces, not starting or ending with a"
                  + " space, at most 2048 characters)",
              "services/web.yaml:15:55: unknown field 'xss' in edge.securityHeaders (expected one"
                  + " of: hsts, contentTypeOptions, frameOptions, referrerPolicy,"
                  + " contentSecurityPolicy)",
              "services/web.yaml:16:26: edge.cookies.allowed[1]: duplicate cookie 'a' (first at"
                  + " column 23)",
              "services/web.yaml:16:36: edge.cookies.mode: invalid value 'strip' (expected one of:"
                  + " monitor, enforce)",
              "services/web.yaml:17:46: edge.rateLimit.burst: 10 is less than requestsPerSecond 100"
                  + " (the bucket holds at most burst requests, so the rate could never be"
                  + " reached)",
              "services/web.yaml:18:12: edge.timeout: '0s' is not a duration (a positive whole"
                  + " number followed by ms, s, m or h, e.g. 500ms, 2s, 1m)");
    }

    @Test
    void additionalOriginsNeedCsrfOnAndRequiredPartsAreRequired() {
      assertThat(
              edgeErrors(
                  "  csrf: {mode: off, additionalOrigins: [a.example.com]}",
                  "  cors: {allowMethods: [GET]}",
                  "  cookies: {mode: enforce}",
                  "  rateLimit: {burst: 5}"))
          .containsExactly(
              "services/web.yaml:8:40: edge.csrf.additionalOrigins: has no effect with mode off",
              "services/web.yaml:9:9: missing required field 'allowOrigins' in edge.cors",
              "services/web.yaml:10:12: missing required field 'allowed' in edge.cookies",
              "services/web.yaml:11:14: missing required field 'requestsPerSecond' in"
                  + " edge.rateLimit");
    }
  }

  @Nested
  class Gateways {

    @Test
    void tlsCertificatesFromFilesOrTheMeshCa() {
      Gateway g =
          mesh(
                  "mesh.yaml",
                  """
                  gateways:
                    - name: public
                      tls:
                        - hosts: [shop.example.com, www.shop.example.com]
                          certFile: /etc/trellis/tls/shop.crt
                          keyFile: /etc/trellis/tls/shop.key
                        - hosts: ['*.internal.example.com']
                          meshCa: true
                      internalHeaderPrefix: x-shop-internal-
                      maxRequestHeadersKb: 32
                  """)
              .config()
              .gateways()
              .get(0);
      assertThat(g.tls())
          .containsExactly(
              new Gateway.Tls(
                  List.of("shop.example.com", "www.shop.example.com"),
                  Optional.of("/etc/trellis/tls/shop.crt"),
                  Optional.of("/etc/trellis/tls/shop.key")),
              new Gateway.Tls(
                  List.of("*.internal.example.com"), Optional.empty(), Optional.empty()));
      assertThat(g.tls().get(1).meshIssued()).isTrue();
      assertThat(g.internalHeaderPrefix()).isEqualTo("x-shop-internal-");
      assertThat(g.maxRequestHeadersKb()).isEqualTo(32);
    }

    @Test
    void hygieneDefaults() {
      Gateway g = mesh("mesh.yaml", GATEWAY).config().gateways().get(0);
      assertThat(g.tls()).isEmpty();
      assertThat(g.internalHeaderPrefix()).isEqualTo("x-internal-");
      assertThat(g.maxRequestHeadersKb()).isEqualTo(60);
    }

    @Test
    void badTlsAndHygieneSettingsAreReported() {
      assertThat(
              errors(
                  "mesh.yaml",
                  """
                  gateways:
                    - name: public
                      tls:
                        - {hosts: [a.example.com], certFile: /a.crt, meshCa: true}
                        - {hosts: [b.example.com], certFile: /b.crt}
                        - {hosts: [c.example.com]}
                        - {hosts: [a.example.com], certFile: certs/d.crt, keyFile: /../d.key}
                        - {hosts: [e.example.com], meshCa: false}
                      internalHeaderPrefix: x-forwarded
                      maxRequestHeadersKb: 9000
                    - name: other
                      internalHeaderPrefix: X-Internal-
                  """))
          .containsExactly(
              "mesh.yaml:4:60: gateways[0].tls[0].meshCa: meshCa: true cannot be combined with"
                  + " certFile or keyFile",
              "mesh.yaml:5:9: missing required field 'keyFile' in gateways[0].tls[1] (files come"
                  + " in pairs)",
              "mesh.yaml:6:9: gateways[0].tls[2]: needs certFile and keyFile, or meshCa: true",
              "mesh.yaml:7:18: gateways[0].tls[3].hosts[0]: host 'a.example.com' already has a"
                  + " certificate (first at line 4)",
              "mesh.yaml:7:44: gateways[0].tls[3].certFile: 'certs/d.crt' is not an absolute file"
                  + " path (starting with '/', of letters, digits, '.', '_', '-' and '/', without"
                  + " '..' segments)",
              "mesh.yaml:7:66: gateways[0].tls[3].keyFile: '/../d.key' is not an absolute file path"
                  + " (starting with '/', of letters, digits, '.', '_', '-' and '/', without '..'"
                  + " segments)",
              "mesh.yaml:8:9: gateways[0].tls[4]: needs certFile and keyFile, or meshCa: true",
              "mesh.yaml:9:27: gateways[0].internalHeaderPrefix: 'x-forwarded' would also remove"
                  + " x-forwarded-for, which the edge sets itself",
              "mesh.yaml:10:26: gateways[0].maxRequestHeadersKb: 9000 is out of range (1-8192)",
              "mesh.yaml:12:27: gateways[1].internalHeaderPrefix: 'X-Internal-' is not a header"
                  + " name prefix (lowercase letters, digits and '-', starting with 'x-' and at"
                  + " least one more character, at most 64 characters)");
    }
  }
}
