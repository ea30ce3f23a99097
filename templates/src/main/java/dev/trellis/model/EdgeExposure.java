package dev.trellis.model;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How a service is exposed through an edge gateway: the gateway, the hosts and the path prefixes,
 * and the protections the edge applies to its traffic.
 *
 * @param timeout the edge's deadline for a request to the service; absent means the mesh's {@code
 *     trafficDefaults.timeout} (see {@link Mesh#edgeTimeoutOf})
 * @param securityHeaders this service's overrides of the mesh's response security headers
 */
public record EdgeExposure(
    String gateway,
    List<String> hosts,
    List<String> paths,
    Optional<Duration> timeout,
    Csrf csrf,
    Optional<Cors> cors,
    SecurityHeaders securityHeaders,
    Optional<Cookies> cookies,
    Optional<RateLimit> rateLimit) {

  public EdgeExposure {
    hosts = List.copyOf(hosts);
    paths = List.copyOf(paths);
  }

  /** An exposure with every protection at its default. */
  public EdgeExposure(String gateway, List<String> hosts, List<String> paths) {
    this(
        gateway,
        hosts,
        paths,
        Optional.empty(),
        Csrf.DEFAULT,
        Optional.empty(),
        SecurityHeaders.NONE,
        Optional.empty(),
        Optional.empty());
  }

  public enum CsrfMode {
    /** No check. */
    OFF,
    /** Checked and counted, never rejected: for finding out what enforcing would break. */
    SHADOW,
    /** Cross-origin mutating requests are rejected with 403. */
    ENFORCE;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * Envoy's CSRF check: a mutating request's Origin (or Referer) must be the request's own host, or
   * one of {@code additionalOrigins} ({@code host} or {@code host:port}, a leading {@code *.} for
   * any subdomain).
   */
  public record Csrf(CsrfMode mode, List<String> additionalOrigins) {
    public static final Csrf DEFAULT = new Csrf(CsrfMode.SHADOW, List.of());

    public Csrf {
      additionalOrigins = List.copyOf(additionalOrigins);
    }
  }

  /**
   * The CORS policy of the service's virtual host.
   *
   * @param allowOrigins exact origins such as {@code https://shop.example.com}, or {@code *}
   */
  public record Cors(
      List<String> allowOrigins,
      List<String> allowMethods,
      List<String> allowHeaders,
      boolean allowCredentials,
      Optional<Duration> maxAge) {

    public Cors {
      allowOrigins = List.copyOf(allowOrigins);
      allowMethods = List.copyOf(allowMethods);
      allowHeaders = List.copyOf(allowHeaders);
    }
  }

  public enum CookieMode {
    /** Cookies not on the list are logged and counted. */
    MONITOR,
    /** ... and removed from the response. */
    ENFORCE;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * The cookie names the service may set through the edge (see {@code CookieMonitor}); names are
   * kept as written, and checked by static analysis rather than the loader.
   */
  public record Cookies(List<String> allowed, CookieMode mode) {
    public Cookies {
      allowed = List.copyOf(allowed);
    }
  }

  /** A token bucket per route: {@code requestsPerSecond} refill, room for {@code burst}. */
  public record RateLimit(int requestsPerSecond, int burst) {}
}
