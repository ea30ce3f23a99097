package dev.trellis.model;

import java.util.List;

/**
 * How a service is exposed through an edge gateway: the gateway, the hosts and the path prefixes.
 */
public record EdgeExposure(String gateway, List<String> hosts, List<String> paths) {

  public EdgeExposure {
    hosts = List.copyOf(hosts);
    paths = List.copyOf(paths);
  }
}
