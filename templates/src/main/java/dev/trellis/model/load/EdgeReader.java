package dev.trellis.model.load;

import dev.trellis.model.EdgeExposure;
import dev.trellis.model.EdgeExposure.CookieMode;
import dev.trellis.model.EdgeExposure.Cookies;
import dev.trellis.model.EdgeExposure.Cors;
import dev.trellis.model.EdgeExposure.Csrf;
import dev.trellis.model.EdgeExposure.CsrfMode;
import dev.trellis.model.EdgeExposure.RateLimit;
import dev.trellis.model.SecurityHeaders;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads a service's {@code edge} exposure: a gateway declared in {@code mesh.yaml}, one or more
 * hosts, path prefixes (default {@code /}), and the edge's protections: {@code timeout}, {@code
 * csrf}, {@code cors}, {@code securityHeaders}, {@code cookies} and {@code rateLimit}.
 */
final class EdgeReader {

  static final List<String> FIELDS =
      List.of(
          "gateway",
          "hosts",
          "paths",
          "timeout",
          "csrf",
          "cors",
          "securityHeaders",
          "cookies",
          "rateLimit");
  static final List<String> CSRF_FIELDS = List.of("mode", "additionalOrigins");
  static final List<String> CORS_FIELDS =
      List.of("allowOrigins", "allowMethods", "allowHeaders", "allowCredentials", "maxAge");
  static final List<String> COOKIE_FIELDS = List.of("allowed", "mode");
  static final List<String> RATE_LIMIT_FIELDS = List.of("requestsPerSecond", "burst");
  static final List<String> DEFAULT_PATHS = List.of("/");
  static final List<String> DEFAULT_CORS_METHODS = List.of("GET", "HEAD", "POST");
  static final int MAX_RATE = 1_000_000;

  private final Source src;
  private boolean ok = true;

  private EdgeReader(Source src) {
    this.src = src;
  }

  static Optional<EdgeExposure> read(Source src, String path, Node node, MeshFile mesh) {
    Optional<Fields> opened = Fields.open(src, path, node, FIELDS);
    if (opened.isEmpty()) {
      return Optional.empty();
    }
    return new EdgeReader(src).exposure(opened.get(), mesh);
  }

  private Optional<EdgeExposure> exposure(Fields f, MeshFile mesh) {
    Optional<String> gateway =
        f.required("gateway").flatMap(n -> check(gateway(f.path("gateway"), n, mesh)));
    Optional<List<String>> hosts =
        f.required("hosts")
            .flatMap(
                n ->
                    check(
                        Values.distinctList(
                            src, f.path("hosts"), n, "host", Syntax.EDGE_HOST, false)));
    Optional<List<String>> paths =
        f.optional("paths")
            .map(
                n ->
                    check(
                        Values.distinctList(
                            src, f.path("paths"), n, "path", Syntax.PATH_PREFIX, false)))
            .orElse(Optional.of(DEFAULT_PATHS));
    Optional<Duration> timeout =
        f.optional("timeout").flatMap(n -> check(Values.duration(src, f.path("timeout"), n)));
    Csrf csrf = f.optional("csrf").map(n -> csrf(f.path("csrf"), n)).orElse(Csrf.DEFAULT);
    Optional<Cors> cors = f.optional("cors").flatMap(n -> check(cors(f.path("cors"), n)));
    SecurityHeaders headers =
        f.optional("securityHeaders")
            .map(
                n ->
                    check(SecurityHeadersReader.read(src, f.path("securityHeaders"), n))
                        .orElse(SecurityHeaders.NONE))
            .orElse(SecurityHeaders.NONE);
    Optional<Cookies> cookies =
        f.optional("cookies").flatMap(n -> check(cookies(f.path("cookies"), n)));
    Optional<RateLimit> rateLimit =
        f.optional("rateLimit").flatMap(n -> check(rateLimit(f.path("rateLimit"), n)));
    if (!ok || gateway.isEmpty() || hosts.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new EdgeExposure(
            gateway.get(),
            hosts.get(),
            paths.get(),
            timeout,
            csrf,
            cors,
            headers,
            cookies,
            rateLimit));
  }

  private <T> Optional<T> check(Optional<T> value) {
    if (value.isEmpty()) {
      ok = false;
    }
    return value;
  }

  private Optional<String> gateway(String path, Node node, MeshFile mesh) {
    Optional<String> name = Values.text(src, path, node, Syntax.DNS_LABEL);
    if (name.isEmpty() || !mesh.gatewaysKnown()) {
      return name;
    }
    // Only names that are valid themselves: an invalid one has its own error at mesh.yaml, and
    // quoting it here would carry whatever it holds (newlines, anything) into this message.
    List<String> declared =
        mesh.gateways().stream()
            .map(Ref::value)
            .filter(g -> Syntax.DNS_LABEL.problem(g).isEmpty())
            .distinct()
            .toList();
    if (!declared.contains(name.get())) {
      src.invalid(
          node,
          path,
          "unknown gateway '"
              + name.get()
              + "' ("
              + (declared.isEmpty()
                  ? "mesh.yaml declares no gateways"
                  : "mesh.yaml declares: "
                      + declared.stream().collect(Collectors.joining(", "))
                      + Suggestions.hint(name.get(), declared))
              + ")");
      return Optional.empty();
    }
    return name;
  }

  /** {@code off | shadow | enforce}, or {@code {mode, additionalOrigins}}. */
  private Csrf csrf(String path, Node node) {
    if (!(node instanceof MappingNode)) {
      return check(Values.choice(src, path, node, CsrfMode.class))
          .map(m -> new Csrf(m, List.of()))
          .orElse(Csrf.DEFAULT);
    }
    Optional<Fields> opened = check(Fields.open(src, path, node, CSRF_FIELDS));
    if (opened.isEmpty()) {
      return Csrf.DEFAULT;
    }
    Fields f = opened.get();
    Optional<CsrfMode> mode =
        f.optional("mode")
            .map(n -> check(Values.choice(src, f.path("mode"), n, CsrfMode.class)))
            .orElse(Optional.of(Csrf.DEFAULT.mode()));
    Optional<List<String>> origins =
        f.optional("additionalOrigins")
            .map(
                n ->
                    check(
                        Values.distinctList(
                            src,
                            f.path("additionalOrigins"),
                            n,
                            "origin",
                            Syntax.ORIGIN_HOST,
                            false)))
            .orElse(Optional.of(List.of()));
    if (mode.isEmpty() || origins.isEmpty()) {
      return Csrf.DEFAULT;
    }
    if (mode.get() == CsrfMode.OFF && !origins.get().isEmpty()) {
      src.invalid(
          f.optional("additionalOrigins").orElseThrow(),
          f.path("additionalOrigins"),
          "has no effect with mode off");
      ok = false;
    }
    return new Csrf(mode.get(), origins.get());
  }

  private Optional<Cors> cors(String path, Node node) {
    Optional<Fields> opened = Fields.open(src, path, node, CORS_FIELDS);
    if (opened.isEmpty()) {
      return Optional.empty();
    }
    Fields f = opened.get();
    Optional<List<String>> origins =
        f.required("allowOrigins")
            .flatMap(
                n ->
                    Values.distinctList(
                        src, f.path("allowOrigins"), n, "origin", Syntax.ORIGIN, false));
    Optional<List<String>> methods =
        f.optional("allowMethods")
            .map(
                n ->
                    Values.distinctList(
                        src, f.path("allowMethods"), n, "method", Syntax.HTTP_METHOD, false))
            .orElse(Optional.of(DEFAULT_CORS_METHODS));
    Optional<List<String>> headers =
        f.optional("allowHeaders")
            .map(
                n ->
                    Values.distinctList(
                        src, f.path("allowHeaders"), n, "header", Syntax.HEADER_NAME, false))
            .orElse(Optional.of(List.of()));
    Optional<Boolean> credentials =
        f.optional("allowCredentials")
            .map(n -> Values.bool(src, f.path("allowCredentials"), n))
            .orElse(Optional.of(false));
    Optional<Node> maxAgeNode = f.optional("maxAge");
    Optional<Duration> maxAge = maxAgeNode.flatMap(n -> Values.duration(src, f.path("maxAge"), n));
    if (maxAge.isPresent() && maxAge.get().toMillis() % 1000 != 0) {
      src.invalid(
          maxAgeNode.orElseThrow(),
          f.path("maxAge"),
          "'" + maxAge.get().toMillis() + "ms' is not a whole number of seconds");
      return Optional.empty();
    }
    if (origins.isEmpty()
        || methods.isEmpty()
        || headers.isEmpty()
        || credentials.isEmpty()
        || (maxAgeNode.isPresent() && maxAge.isEmpty())) {
      return Optional.empty();
    }
    return Optional.of(
        new Cors(origins.get(), methods.get(), headers.get(), credentials.get(), maxAge));
  }

  private Optional<Cookies> cookies(String path, Node node) {
    Optional<Fields> opened = Fields.open(src, path, node, COOKIE_FIELDS);
    if (opened.isEmpty()) {
      return Optional.empty();
    }
    Fields f = opened.get();
    // Names are checked against RFC 6265 by static analysis, which reports each with its rule id;
    // here they only need to be distinct and not overlong.
    Optional<List<String>> allowed =
        f.required("allowed")
            .flatMap(
                n ->
                    Values.distinctList(
                        src, f.path("allowed"), n, "cookie", Syntax.COOKIE_NAME, true));
    Optional<CookieMode> mode =
        f.optional("mode")
            .map(n -> Values.choice(src, f.path("mode"), n, CookieMode.class))
            .orElse(Optional.of(CookieMode.MONITOR));
    if (allowed.isEmpty() || mode.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Cookies(allowed.get(), mode.get()));
  }

  private Optional<RateLimit> rateLimit(String path, Node node) {
    Optional<Fields> opened = Fields.open(src, path, node, RATE_LIMIT_FIELDS);
    if (opened.isEmpty()) {
      return Optional.empty();
    }
    Fields f = opened.get();
    Optional<Integer> rate =
        f.required("requestsPerSecond")
            .flatMap(n -> Values.integer(src, f.path("requestsPerSecond"), n, 1, MAX_RATE));
    Optional<Node> burstNode = f.optional("burst");
    Optional<Integer> burst =
        burstNode.flatMap(n -> Values.integer(src, f.path("burst"), n, 1, MAX_RATE));
    if (rate.isEmpty() || (burstNode.isPresent() && burst.isEmpty())) {
      return Optional.empty();
    }
    if (burst.isPresent() && burst.get() < rate.get()) {
      src.invalid(
          burstNode.orElseThrow(),
          f.path("burst"),
          burst.get()
              + " is less than requestsPerSecond "
              + rate.get()
              + " (the bucket holds at most burst requests, so the rate could never be reached)");
      return Optional.empty();
    }
    return Optional.of(new RateLimit(rate.get(), burst.orElse(rate.get())));
  }
}
