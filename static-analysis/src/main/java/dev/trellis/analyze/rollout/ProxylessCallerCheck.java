package dev.trellis.analyze.rollout;

import dev.trellis.analyze.Level;
import dev.trellis.analyze.MeshCheck;
import dev.trellis.analyze.MeshContext;
import dev.trellis.analyze.Rule;
import dev.trellis.model.Mesh;
import dev.trellis.model.MtlsMode;
import dev.trellis.model.Protocol;
import dev.trellis.model.ServiceDef;
import java.util.List;
import java.util.Map;

/**
 * A strict service called by a proxyless gRPC app that is itself still {@code mtls: disable}
 * (TRL402). A caller's own mode says nothing about its outbound calls when it has a sidecar: the
 * sidecar gets its certificate over SDS and originates mTLS automatically. A proxyless app
 * originates mTLS only with certificates in its bootstrap, which an app still at disable has
 * usually not been given.
 */
public final class ProxylessCallerCheck implements MeshCheck {

  public static final Rule RULE =
      new Rule(
          "TRL402",
          "strict-proxyless-caller-at-disable",
          Level.WARNING,
          "A strict service is called by a proxyless gRPC app that is itself still mtls: disable.",
          "Callers with a sidecar originate mTLS whatever their own mode, so a caller at disable"
              + " is no risk by itself. A proxyless gRPC app originates mTLS through the"
              + " certificate provider instance 'trellis' of its bootstrap; an app still at disable"
              + " has often not been given certificates yet. Without that provider grpc-xds"
              + " rejects the cluster, keeps calling in plaintext, and the strict service refuses"
              + " it. Check the caller's bootstrap (or move it to permissive or strict first,"
              + " which needs the same certificates).");

  @Override
  public List<Rule> rules() {
    return List.of(RULE);
  }

  @Override
  public void check(MeshContext context) {
    Mesh mesh = context.mesh();
    Map<String, List<ServiceDef>> callers = mesh.callersByCallee();
    for (ServiceDef callee : mesh.services().values()) {
      if (mesh.servedMtls(callee) != MtlsMode.STRICT || callee.protocol() != Protocol.GRPC) {
        continue;
      }
      for (ServiceDef caller : callers.getOrDefault(callee.name(), List.of())) {
        if (caller.proxyless() && mesh.mtlsOf(caller) == MtlsMode.DISABLE) {
          context.report(
              RULE,
              Locations.mtls(mesh, callee),
              "Service '"
                  + callee.name()
                  + "' is mtls: strict and its proxyless gRPC caller '"
                  + caller.name()
                  + "' is still mtls: disable: its calls work only if its bootstrap defines the"
                  + " certificate provider 'trellis' (else grpc-xds rejects the cluster and"
                  + " calls in plaintext, which is refused).");
        }
      }
    }
  }
}
