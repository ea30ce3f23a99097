package dev.trellis.analyze.mesh;

import dev.trellis.model.Mesh;
import dev.trellis.model.MtlsMode;
import dev.trellis.model.ServiceDef;
import dev.trellis.model.SourceLocation;

/** Where a service's effective mTLS mode is written: its own {@code mtls}, or mesh.yaml's. */
final class Mtls {

  private Mtls() {}

  /**
   * Whether what serves the service (its sidecar, or a proxyless gRPC server) accepts only mTLS.
   */
  static boolean strictlyServed(Mesh mesh, ServiceDef service) {
    return mesh.servedMtls(service) == MtlsMode.STRICT;
  }

  static SourceLocation modeLocation(Mesh mesh, ServiceDef service) {
    return service.mtls().isPresent()
        ? service.provenance().locate("mtls")
        : mesh.config().provenance().locate("mtls");
  }

  /** How the mode of {@code service} is written, for messages: its own, or inherited. */
  static String modeSource(Mesh mesh, ServiceDef service) {
    return service.mtls().isPresent()
        ? "'mtls: " + lower(mesh.mtlsOf(service)) + "'"
        : "'mtls: " + lower(mesh.mtlsOf(service)) + "' (the mesh default)";
  }

  private static String lower(MtlsMode mode) {
    return mode.name().toLowerCase(java.util.Locale.ROOT);
  }
}
