package dev.trellis.stream;

import dev.trellis.mtls.SpiffeId;

/**
 * Who an xDS stream authenticated as: a service's or a gateway's workloads, and how (a client
 * certificate's SPIFFE ID or a Kubernetes service account). It fixes the one group the stream may
 * have.
 *
 * @param kind service or gateway (a control-plane identity may have no group)
 * @param name the service's or gateway's name
 * @param presented what the proxy presented, for messages (e.g. the SPIFFE ID)
 */
record ProxyIdentity(SpiffeId.Kind kind, String name, String presented) {

  static ProxyIdentity of(SpiffeId id) {
    return new ProxyIdentity(id.kind(), id.name(), id.toString());
  }

  /**
   * A service's (or gateway's) workloads, authenticated by the Kubernetes service account {@code
   * account}.
   */
  static ProxyIdentity serviceAccount(String account, SpiffeId.Kind kind, String name) {
    return new ProxyIdentity(
        kind, name, "service account " + account + " (" + kind.segment() + " " + name + ")");
  }

  @Override
  public String toString() {
    return presented;
  }
}
