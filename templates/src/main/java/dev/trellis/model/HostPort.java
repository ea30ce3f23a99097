package dev.trellis.model;

/**
 * One instance of a service: an address and port, optionally placed in a zone for locality
 * weighting.
 */
public record HostPort(String host, int port, String zone) {

  public HostPort(String host, int port) {
    this(host, port, "");
  }

  @Override
  public String toString() {
    return host + ":" + port;
  }
}
