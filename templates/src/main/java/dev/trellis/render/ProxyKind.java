package dev.trellis.render;

/**
 * The role a group of proxies plays in the mesh; each role has its own set of default templates.
 */
public enum ProxyKind {
  /** Envoy sidecars in front of one service's instances. */
  SIDECAR,
  /** Envoy edge proxies of one gateway declared in mesh.yaml. */
  EDGE,
  /** Proxyless gRPC applications acting as one service (grpc-xds clients and servers). */
  GRPC
}
