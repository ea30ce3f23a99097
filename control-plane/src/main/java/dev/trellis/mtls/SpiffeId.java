package dev.trellis.mtls;

import java.net.URI;
import java.util.Objects;

/**
 * A SPIFFE identity of the mesh: a service's workloads {@code
 * spiffe://<trust-domain>/service/<name>}, an edge gateway's proxies {@code .../gateway/<name>}, or
 * the control plane {@code .../control-plane/<name>}.
 *
 * <p>The trust domain follows the SPIFFE ID specification (lowercase letters, digits, '.', '-' and
 * '_', at most 255 characters); the name is a DNS label, as every Trellis name is.
 */
public record SpiffeId(String trustDomain, Kind kind, String name) implements Comparable<SpiffeId> {

  /** What an identity stands for; its path segment comes first in the ID's path. */
  public enum Kind {
    SERVICE("service"),
    GATEWAY("gateway"),
    CONTROL_PLANE("control-plane");

    private final String segment;

    Kind(String segment) {
      this.segment = segment;
    }

    /** The first path segment, e.g. {@code service}. */
    public String segment() {
      return segment;
    }
  }

  public static final String SCHEME_PREFIX = "spiffe://";
  private static final int MAX_TRUST_DOMAIN = 255;
  private static final int MAX_LABEL = 63;

  public SpiffeId {
    requireValidTrustDomain(trustDomain);
    Objects.requireNonNull(kind, "kind");
    requireValidName(kind, name);
  }

  /** The identity of service {@code service}'s workloads. */
  public static SpiffeId of(String trustDomain, String service) {
    return new SpiffeId(trustDomain, Kind.SERVICE, service);
  }

  /** The identity of edge gateway {@code gateway}'s proxies. */
  public static SpiffeId gateway(String trustDomain, String gateway) {
    return new SpiffeId(trustDomain, Kind.GATEWAY, gateway);
  }

  /** The identity of a control plane (its ADS server certificate). */
  public static SpiffeId controlPlane(String trustDomain, String name) {
    return new SpiffeId(trustDomain, Kind.CONTROL_PLANE, name);
  }

  /**
   * Parses {@code spiffe://<trust-domain>/<kind>/<name>}, kind being {@code service}, {@code
   * gateway} or {@code control-plane}.
   *
   * @throws IllegalArgumentException naming the ID and what is wrong with it
   */
  public static SpiffeId parse(String id) {
    if (id == null || id.isEmpty()) {
      throw new IllegalArgumentException("SPIFFE ID is empty");
    }
    if (!id.startsWith(SCHEME_PREFIX)) {
      throw new IllegalArgumentException(
          "SPIFFE ID '" + id + "' must start with '" + SCHEME_PREFIX + "'");
    }
    int query = indexOfAny(id, "?#");
    if (query >= 0) {
      throw new IllegalArgumentException(
          "SPIFFE ID '" + id + "' must not have a query or fragment ('" + id.charAt(query) + "')");
    }
    String rest = id.substring(SCHEME_PREFIX.length());
    int slash = rest.indexOf('/');
    String trustDomain = slash < 0 ? rest : rest.substring(0, slash);
    String path = slash < 0 ? "" : rest.substring(slash);
    try {
      requireValidTrustDomain(trustDomain);
      for (Kind kind : Kind.values()) {
        String prefix = "/" + kind.segment() + "/";
        if (path.startsWith(prefix)) {
          return new SpiffeId(trustDomain, kind, path.substring(prefix.length()));
        }
      }
      throw new IllegalArgumentException(
          "path must be '/service/<name>', '/gateway/<name>' or '/control-plane/<name>', got '"
              + path
              + "'");
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("SPIFFE ID '" + id + "': " + e.getMessage(), e);
    }
  }

  /**
   * Checks a trust domain name against the SPIFFE ID specification.
   *
   * @throws IllegalArgumentException naming the trust domain and the offending character
   */
  public static void requireValidTrustDomain(String trustDomain) {
    Objects.requireNonNull(trustDomain, "trustDomain");
    if (trustDomain.isEmpty()) {
      throw new IllegalArgumentException("trust domain is empty");
    }
    if (trustDomain.length() > MAX_TRUST_DOMAIN) {
      throw new IllegalArgumentException(
          "trust domain '"
              + trustDomain
              + "' is "
              + trustDomain.length()
              + " characters long; at most "
              + MAX_TRUST_DOMAIN
              + " are allowed");
    }
    for (int i = 0; i < trustDomain.length(); i++) {
      char c = trustDomain.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
      if (!ok) {
        throw new IllegalArgumentException(
            "trust domain '"
                + trustDomain
                + "' has character '"
                + c
                + "' at index "
                + i
                + "; allowed are a-z, 0-9, '.', '-' and '_'");
      }
    }
  }

  private static void requireValidName(Kind kind, String name) {
    Objects.requireNonNull(name, "name");
    boolean ok =
        !name.isEmpty()
            && name.length() <= MAX_LABEL
            && name.chars()
                .allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')
            && name.charAt(0) != '-'
            && name.charAt(name.length() - 1) != '-';
    if (!ok) {
      throw new IllegalArgumentException(
          kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
              + " name '"
              + name
              + "' is not a DNS label (1 to 63 lowercase letters, digits and '-', starting and"
              + " ending with a letter or digit)");
    }
  }

  private static int indexOfAny(String s, String chars) {
    for (int i = 0; i < s.length(); i++) {
      if (chars.indexOf(s.charAt(i)) >= 0) {
        return i;
      }
    }
    return -1;
  }

  /**
   * The ID of the trust domain itself, {@code spiffe://<trust-domain>}, as CA certificates carry.
   */
  public static URI trustDomainUri(String trustDomain) {
    requireValidTrustDomain(trustDomain);
    return URI.create(SCHEME_PREFIX + trustDomain);
  }

  public URI uri() {
    return URI.create(toString());
  }

  @Override
  public String toString() {
    return SCHEME_PREFIX + trustDomain + "/" + kind.segment() + "/" + name;
  }

  @Override
  public int compareTo(SpiffeId other) {
    return toString().compareTo(other.toString());
  }
}
