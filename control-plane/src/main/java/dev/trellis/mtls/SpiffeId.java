package dev.trellis.mtls;

import java.net.URI;
import java.util.Objects;

/**
 * The SPIFFE identity of a mesh service, {@code spiffe://<trust-domain>/service/<name>}.
 *
 * <p>The trust domain follows the SPIFFE ID specification (lowercase letters, digits, '.', '-' and
 * '_', at most 255 characters); the service name is a DNS label, as every Trellis name is.
 */
public record SpiffeId(String trustDomain, String service) implements Comparable<SpiffeId> {

  public static final String SCHEME_PREFIX = "spiffe://";
  static final String SERVICE_PATH = "/service/";
  private static final int MAX_TRUST_DOMAIN = 255;
  private static final int MAX_LABEL = 63;

  public SpiffeId {
    requireValidTrustDomain(trustDomain);
    requireValidServiceName(service);
  }

  public static SpiffeId of(String trustDomain, String service) {
    return new SpiffeId(trustDomain, service);
  }

  /**
   * Parses {@code spiffe://<trust-domain>/service/<name>}.
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
      if (!path.startsWith(SERVICE_PATH)) {
        throw new IllegalArgumentException(
            "path must be '" + SERVICE_PATH + "<name>', got '" + path + "'");
      }
      return new SpiffeId(trustDomain, path.substring(SERVICE_PATH.length()));
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

  private static void requireValidServiceName(String name) {
    Objects.requireNonNull(name, "service");
    boolean ok =
        !name.isEmpty()
            && name.length() <= MAX_LABEL
            && name.chars()
                .allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')
            && name.charAt(0) != '-'
            && name.charAt(name.length() - 1) != '-';
    if (!ok) {
      throw new IllegalArgumentException(
          "service name '"
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
    return SCHEME_PREFIX + trustDomain + SERVICE_PATH + service;
  }

  @Override
  public int compareTo(SpiffeId other) {
    return toString().compareTo(other.toString());
  }
}
