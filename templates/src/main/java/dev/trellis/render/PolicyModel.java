package dev.trellis.render;

import static dev.trellis.render.DefinitionMap.plain;

import dev.trellis.model.EdgeExposure;
import dev.trellis.model.EdgeExposure.CsrfMode;
import dev.trellis.model.Gateway;
import dev.trellis.model.Mesh;
import dev.trellis.model.Protocol;
import dev.trellis.model.TrafficPolicy;
import dev.trellis.model.TrafficPolicy.LbPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The template values of traffic policy and edge protections: plain values (numbers, strings,
 * lists, maps of them) that the templates shape into Envoy fields.
 */
final class PolicyModel {

  /** Retry conditions when none is written, by callee protocol (sidecars retry on these). */
  static final String HTTP_RETRY_ON = "5xx,reset,connect-failure";

  static final String GRPC_RETRY_ON =
      "connect-failure,refused-stream,unavailable,cancelled,resource-exhausted";

  /** gRPC status names Envoy's x-envoy-retry-grpc-on and grpc-xds understand. */
  private static final Set<String> GRPC_CODES =
      Set.of("cancelled", "deadline-exceeded", "internal", "resource-exhausted", "unavailable");

  /** Conditions of a failed transport; a gRPC client sees them as UNAVAILABLE. */
  private static final Set<String> TRANSPORT_FAILURES =
      Set.of(
          "connect-failure",
          "reset",
          "reset-before-request",
          "refused-stream",
          "gateway-error",
          "5xx",
          "http3-post-connect-failure");

  /**
   * Request headers the edge removes from outside requests before anything else reads them: each
   * states something about the path a request took that only the edge itself can know.
   */
  static final List<String> SPOOFABLE_HEADERS =
      List.of(
          "x-forwarded-for",
          "x-forwarded-host",
          "x-forwarded-port",
          "x-forwarded-proto",
          "x-forwarded-prefix",
          "x-forwarded-client-cert",
          "forwarded",
          "x-real-ip",
          "x-client-ip",
          "true-client-ip",
          "x-original-forwarded-for",
          "x-envoy-external-address",
          "x-envoy-internal",
          "x-envoy-original-path");

  private PolicyModel() {}

  /**
   * Adds the fields of an effective traffic policy: {@code timeout}, {@code retries}, {@code
   * retry_on}, {@code grpc_retry_on}, {@code per_try_timeout}, {@code retry_budget}, {@code
   * circuit_breakers}, {@code outlier_detection}, {@code lb_policy}, {@code grpc_lb_policies} and
   * {@code locality_weighted}. Absent values are "" or empty maps, which templates test as false.
   */
  static DefinitionMap.Builder trafficFields(
      DefinitionMap.Builder b, TrafficPolicy p, Protocol callee) {
    String retryOn =
        p.retries()
            .on()
            .map(on -> String.join(",", on))
            .orElse(callee == Protocol.GRPC ? GRPC_RETRY_ON : HTTP_RETRY_ON);
    LbPolicy lb = p.lb().orElse(LbPolicy.LEAST_REQUEST);
    return b.put("timeout", duration(p.timeout()))
        .put("retries", p.retryAttempts())
        .put("retry_on", retryOn)
        .put("grpc_retry_on", grpcRetryOn(retryOn))
        .put("per_try_timeout", duration(p.retries().perTryTimeout()))
        .put(
            "retry_budget",
            p.retries()
                .budget()
                .map(r -> plain("percent", r.percent(), "min_concurrency", r.minConcurrency()))
                .orElse(Map.of()))
        .put("circuit_breakers", circuitBreakers(p.circuitBreakers()))
        .put("max_requests", p.circuitBreakers().maxRequests().<Object>map(v -> v).orElse(""))
        .put("outlier_detection", outlierDetection(p.outlierDetection()))
        .put("lb_policy", lb.name())
        .put("grpc_lb_policies", grpcLbPolicies(lb))
        // Consistent hashing places hosts on its own ring, so locality weights do not apply.
        .put("locality_weighted", lb != LbPolicy.RING_HASH);
  }

  /**
   * A proxyless client's balancing policies in order of preference, each an Envoy extension {@code
   * name} and its config {@code type}: the declared policy, then round robin, which every gRPC
   * client has.
   */
  static List<Map<String, Object>> grpcLbPolicies(LbPolicy lb) {
    String declared =
        lb == LbPolicy.WEIGHTED_ROUND_ROBIN
            ? "client_side_weighted_round_robin"
            : lb.name().toLowerCase(Locale.ROOT);
    List<String> names =
        lb == LbPolicy.ROUND_ROBIN ? List.of(declared) : List.of(declared, "round_robin");
    return names.stream().map(PolicyModel::lbExtension).toList();
  }

  private static Map<String, Object> lbExtension(String name) {
    String type =
        Arrays.stream(name.split("_"))
            .map(w -> Character.toUpperCase(w.charAt(0)) + w.substring(1))
            .collect(Collectors.joining());
    return plain(
        "name",
        "envoy.load_balancing_policies." + name,
        "type",
        "type.googleapis.com/envoy.extensions.load_balancing_policies." + name + ".v3." + type);
  }

  /**
   * The gRPC status names for a proxyless client: the gRPC names among the conditions, and {@code
   * unavailable} for any transport failure condition, in order of appearance.
   */
  static String grpcRetryOn(String retryOn) {
    Set<String> codes = new LinkedHashSet<>();
    for (String condition : retryOn.split(",")) {
      if (GRPC_CODES.contains(condition)) {
        codes.add(condition);
      } else if (TRANSPORT_FAILURES.contains(condition)) {
        codes.add("unavailable");
      }
    }
    return String.join(",", codes);
  }

  private static Map<String, Object> circuitBreakers(TrafficPolicy.CircuitBreakers c) {
    Map<String, Object> out = new LinkedHashMap<>();
    c.maxConnections().ifPresent(v -> out.put("max_connections", v));
    c.maxPendingRequests().ifPresent(v -> out.put("max_pending_requests", v));
    c.maxRequests().ifPresent(v -> out.put("max_requests", v));
    return Collections.unmodifiableMap(out);
  }

  /** Envoy field names; a consecutive-gateway-failure count needs its enforcement turned on. */
  private static Map<String, Object> outlierDetection(TrafficPolicy.OutlierDetection o) {
    Map<String, Object> out = new LinkedHashMap<>();
    o.consecutive5xx().ifPresent(v -> out.put("consecutive_5xx", v));
    o.consecutiveGatewayErrors()
        .ifPresent(
            v -> {
              out.put("consecutive_gateway_failure", v);
              out.put("enforcing_consecutive_gateway_failure", 100);
            });
    o.baseEjectionTime()
        .ifPresent(v -> out.put("base_ejection_time", RenderModel.protoDuration(v)));
    o.maxEjectionPercent().ifPresent(v -> out.put("max_ejection_percent", v));
    return Collections.unmodifiableMap(out);
  }

  /**
   * Adds an exposed service's edge fields: its traffic policy, {@code csrf} ({@code mode}, {@code
   * additional_origins} as string matchers), {@code cors} (empty if none), {@code security_headers}
   * (name/value pairs), {@code cookie_monitor} (the route metadata entry of {@link CookieMonitor},
   * empty if none) and {@code rate_limit}.
   */
  static DefinitionMap.Builder edgeFields(
      DefinitionMap.Builder b, Mesh mesh, String service, EdgeExposure e, Protocol protocol) {
    trafficFields(b, mesh.edgePolicyOf(e), protocol);
    b.put(
        "csrf",
        plain(
            "mode",
            e.csrf().mode().label(),
            "enabled",
            e.csrf().mode() != CsrfMode.OFF,
            "additional_origins",
            e.csrf().additionalOrigins().stream().map(PolicyModel::hostMatcher).toList()));
    b.put(
        "cors",
        e.cors()
            .map(
                c ->
                    plain(
                        "allow_origins", c.allowOrigins(),
                        "allow_methods", String.join(",", c.allowMethods()),
                        "allow_headers", String.join(",", c.allowHeaders()),
                        "allow_credentials", c.allowCredentials(),
                        "max_age", c.maxAge().map(d -> Long.toString(d.toSeconds())).orElse("")))
            .orElse(Map.of()));
    List<Map<String, Object>> headers = new ArrayList<>();
    mesh.securityHeadersOf(e).forEach((k, v) -> headers.add(plain("name", k, "value", v)));
    b.put("security_headers", List.copyOf(headers));
    b.put(
        "cookie_monitor",
        e.cookies()
            .map(c -> CookieMonitor.routeMetadata(service, c.mode().label(), c.allowed()))
            .orElse(Map.of()));
    b.put(
        "rate_limit",
        e.rateLimit()
            .map(r -> plain("requests_per_second", r.requestsPerSecond(), "burst", r.burst()))
            .orElse(Map.of()));
    return b;
  }

  /** A CSRF origin host as an Envoy string matcher: {@code *.x} matches any subdomain of x. */
  private static Map<String, Object> hostMatcher(String origin) {
    return origin.startsWith("*.") ? plain("suffix", origin.substring(1)) : plain("exact", origin);
  }

  /**
   * Adds a gateway's fields: {@code tls} (per certificate: a filter chain {@code name}, {@code
   * hosts}, and {@code cert_file}/{@code key_file} or the SDS {@code secret}), {@code
   * internal_header_prefix}, {@code max_request_headers_kb} and {@code spoofable_headers}.
   */
  static DefinitionMap.Builder gatewayFields(DefinitionMap.Builder b, Gateway g) {
    List<Map<String, Object>> tls = new ArrayList<>();
    for (Gateway.Tls t : g.tls()) {
      tls.add(
          plain(
              "name", "tls/" + t.hosts().get(0),
              "hosts", t.hosts(),
              "cert_file", t.certFile().orElse(""),
              "key_file", t.keyFile().orElse(""),
              "secret", t.meshIssued() ? MeshSecrets.edgeCertificate(t.hosts().get(0)) : ""));
    }
    return b.put("tls", List.copyOf(tls))
        .put("internal_header_prefix", g.internalHeaderPrefix())
        .put("max_request_headers_kb", g.maxRequestHeadersKb())
        .put("spoofable_headers", SPOOFABLE_HEADERS);
  }

  /**
   * The Lua scripts of an edge group: {@code internal_headers} always, {@code cookie_monitor} when
   * a service exposed through it declares cookies ("" otherwise).
   */
  static Map<String, Object> edgeLua(Mesh mesh, Gateway g) {
    boolean cookies =
        mesh.exposedThrough(g.name()).values().stream()
            .anyMatch(s -> s.edge().flatMap(EdgeExposure::cookies).isPresent());
    return plain(
        "internal_headers_filter",
        InternalHeaders.FILTER_NAME,
        "internal_headers",
        InternalHeaders.script(g.internalHeaderPrefix()),
        "cookie_monitor_filter",
        CookieMonitor.FILTER_NAME,
        "cookie_monitor",
        cookies ? CookieMonitor.script() : "");
  }

  private static String duration(Optional<Duration> d) {
    return d.map(RenderModel::protoDuration).orElse("");
  }
}
