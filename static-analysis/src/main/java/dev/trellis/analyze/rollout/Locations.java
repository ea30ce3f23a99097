package dev.trellis.analyze.rollout;

import dev.trellis.model.Mesh;
import dev.trellis.model.ServiceDef;
import dev.trellis.model.SourceLocation;

/** Where rollout findings point: the line that set the mode they are about. */
final class Locations {

  private Locations() {}

  /** The service's {@code mtls}, or the mesh default in mesh.yaml if it has none. */
  static SourceLocation mtls(Mesh mesh, ServiceDef s) {
    return s.mtls().isPresent()
        ? s.provenance().locate("mtls")
        : mesh.config().provenance().locate("mtls");
  }

  static SourceLocation authz(ServiceDef s) {
    return s.provenance().locate("authz");
  }

  /** Why a caller cannot originate mTLS to a callee, as a parenthesis for messages. */
  static String whyNotReady(ServiceDef caller, ServiceDef callee) {
    if (caller.proxyless()) {
      return "it is a proxyless gRPC app and '"
          + callee.name()
          + "' is "
          + callee.protocol().name()
          + ", so the call does not go through xDS";
    }
    return "it has no sidecar";
  }
}
