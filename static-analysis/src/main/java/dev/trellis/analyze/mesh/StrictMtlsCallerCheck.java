package dev.trellis.analyze.mesh;

import dev.trellis.analyze.Level;
import dev.trellis.analyze.MeshCheck;
import dev.trellis.analyze.MeshContext;
import dev.trellis.analyze.Rule;
import dev.trellis.model.Mesh;
import dev.trellis.model.ServiceDef;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A service served strictly over mTLS (by its sidecar, or as a proxyless gRPC server) called by a
 * service that cannot originate mTLS to it — no sidecar, and not a proxyless gRPC client of a gRPC
 * service (see {@link Mesh#canOriginateMtls}) (TRL304). One finding per caller, at the line that
 * makes the callee strict.
 */
public final class StrictMtlsCallerCheck implements MeshCheck {

  public static final Rule RULE =
      new Rule(
          "TRL304",
          "strict-mtls-caller-without-sidecar",
          Level.ERROR,
          "A service that accepts only mTLS is called by a service without a sidecar.",
          "With 'mtls: strict' a service's sidecar (or, for a proxyless gRPC server, grpc-xds)"
              + " refuses every connection that does not present a mesh certificate. A caller"
              + " without a sidecar connects in plaintext, unless it is a proxyless gRPC client"
              + " calling a gRPC service, so all of its calls would fail once the strict config"
              + " is served. Edge gateways are Envoy proxies and originate mTLS, so they never"
              + " count here. Keep the service permissive until every caller has a sidecar; the"
              + " finding names the callers still missing one.");

  @Override
  public List<Rule> rules() {
    return List.of(RULE);
  }

  @Override
  public void check(MeshContext context) {
    Mesh mesh = context.mesh();
    // Callers by callee, in name order, from one pass over the mesh (not callersOf per callee).
    Map<String, List<ServiceDef>> callers = new HashMap<>();
    for (ServiceDef caller : mesh.services().values()) {
      for (var d : caller.dependencies()) {
        callers.computeIfAbsent(d.name(), n -> new ArrayList<>()).add(caller);
      }
    }
    for (ServiceDef callee : mesh.services().values()) {
      if (!Mtls.strictlyServed(mesh, callee)) {
        continue;
      }
      for (ServiceDef caller : callers.getOrDefault(callee.name(), List.of())) {
        if (Mesh.canOriginateMtls(caller, callee)) {
          continue;
        }
        context.report(
            RULE,
            Mtls.modeLocation(mesh, callee),
            "service '"
                + callee.name()
                + "' is "
                + Mtls.modeSource(mesh, callee)
                + ", but its caller '"
                + caller.name()
                + "' ("
                + dependencyEntry(caller, callee.name())
                + ") has no sidecar"
                + (caller.proxyless()
                    ? " (proxyless gRPC originates mTLS to gRPC services only)"
                    : "")
                + " and connects in plaintext: those calls would fail",
            callee.name());
      }
    }
  }

  private static String dependencyEntry(ServiceDef caller, String callee) {
    for (int i = 0; i < caller.dependencies().size(); i++) {
      if (caller.dependencies().get(i).name().equals(callee)) {
        return caller.provenance().locate("dependencies[" + i + "]").toString();
      }
    }
    return caller.provenance().file();
  }
}
