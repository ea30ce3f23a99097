package dev.trellis.mtls;

import dev.trellis.render.ProxyGroup;

/**
 * The SPIFFE identity each proxy group acts as: a service's sidecars and its proxyless gRPC apps
 * are {@code spiffe://<td>/service/<name>}; an edge gateway's proxies {@code
 * spiffe://<td>/gateway/<name>}.
 */
public final class GroupIdentity {

  private GroupIdentity() {}

  public static SpiffeId of(ProxyGroup group, String trustDomain) {
    return switch (group.kind()) {
      case SIDECAR, GRPC -> SpiffeId.of(trustDomain, group.name());
      case EDGE -> SpiffeId.gateway(trustDomain, group.name());
    };
  }
}
