package dev.trellis.model;

import java.util.List;
import java.util.Optional;

/**
 * An edge gateway declared in {@code mesh.yaml}: a group of edge proxies at the front door.
 *
 * @param tls certificates for HTTPS, by host; none means the gateway serves plain HTTP only
 * @param internalHeaderPrefix request headers starting with it are removed from outside requests
 * @param maxRequestHeadersKb requests with larger headers are rejected (431)
 */
public record Gateway(
    String name,
    int httpsPort,
    int httpPort,
    List<Tls> tls,
    String internalHeaderPrefix,
    int maxRequestHeadersKb) {

  public static final String DEFAULT_INTERNAL_HEADER_PREFIX = "x-internal-";
  public static final int DEFAULT_MAX_REQUEST_HEADERS_KB = 60;

  public Gateway {
    tls = List.copyOf(tls);
  }

  /** A plain-HTTP gateway with the default header hygiene. */
  public Gateway(String name, int httpsPort, int httpPort) {
    this(
        name,
        httpsPort,
        httpPort,
        List.of(),
        DEFAULT_INTERNAL_HEADER_PREFIX,
        DEFAULT_MAX_REQUEST_HEADERS_KB);
  }

  /**
   * The certificate for some hosts (SNI names; a leading {@code *.} for any subdomain): from PEM
   * files on the edge proxy's disk, or issued by the mesh CA when both files are absent.
   */
  public record Tls(List<String> hosts, Optional<String> certFile, Optional<String> keyFile) {
    public Tls {
      hosts = List.copyOf(hosts);
    }

    public boolean meshIssued() {
      return certFile.isEmpty();
    }
  }
}
