package dev.trellis.render;

/**
 * A set of proxies that share one rendered config. The id is what a node names in {@code
 * node.cluster}: a service name (sidecars), a gateway name (edge proxies), or {@code
 * grpc:<service>} for proxyless gRPC.
 */
public record ProxyGroup(String id, ProxyKind kind, String name) implements Comparable<ProxyGroup> {

  public static final String GRPC_PREFIX = "grpc:";

  public static ProxyGroup sidecar(String service) {
    return new ProxyGroup(service, ProxyKind.SIDECAR, service);
  }

  public static ProxyGroup edge(String gateway) {
    return new ProxyGroup(gateway, ProxyKind.EDGE, gateway);
  }

  public static ProxyGroup grpc(String service) {
    return new ProxyGroup(GRPC_PREFIX + service, ProxyKind.GRPC, service);
  }

  @Override
  public int compareTo(ProxyGroup o) {
    return id.compareTo(o.id);
  }

  @Override
  public String toString() {
    return id;
  }
}
