package dev.trellis.analyze.rollout;

import dev.trellis.analyze.Level;
import dev.trellis.analyze.MeshCheck;
import dev.trellis.analyze.MeshContext;
import dev.trellis.analyze.Rule;
import dev.trellis.model.Mesh;
import dev.trellis.model.MtlsMode;
import dev.trellis.model.ServiceDef;
import java.util.List;
import java.util.Locale;

/**
 * A service that declares an mTLS mode its inbound side cannot serve (TRL406): nothing in front of
 * it terminates TLS, or it is a proxyless gRPC server at permissive, which grpc-xds serves as
 * plaintext. Only modes written in the service's own file are reported, not the mesh default.
 */
public final class UnservedModeCheck implements MeshCheck {

  public static final Rule RULE =
      new Rule(
          "TRL406",
          "mtls-mode-not-served",
          Level.WARNING,
          "A service declares an mTLS mode that its inbound side does not serve.",
          "Only a sidecar, or a proxyless gRPC server, terminates mTLS. A service with neither"
              + " is reached in plaintext whatever its mtls says. A proxyless gRPC server cannot"
              + " accept both mTLS and plaintext on one port (grpc-xds picks a filter chain before"
              + " any handshake), so permissive serves plaintext and its callers keep sending"
              + " plaintext; it goes straight to strict once every caller is ready.");

  @Override
  public List<Rule> rules() {
    return List.of(RULE);
  }

  @Override
  public void check(MeshContext context) {
    Mesh mesh = context.mesh();
    for (ServiceDef s : mesh.services().values()) {
      if (s.mtls().isEmpty() || s.mtls().get() == MtlsMode.DISABLE) {
        continue;
      }
      if (mesh.servedMtls(s) == s.mtls().get()) {
        continue;
      }
      String mode = s.mtls().get().name().toLowerCase(Locale.ROOT);
      String why =
          s.proxyless()
              ? "it is a proxyless gRPC server, which cannot serve mTLS and plaintext on one port:"
                  + " it serves plaintext, and its callers send plaintext"
              : "nothing in front of it terminates TLS (no sidecar, not proxyless): callers reach"
                  + " it in plaintext";
      context.report(
          RULE,
          s.provenance().locate("mtls"),
          "Service '" + s.name() + "' is mtls: " + mode + ", but " + why + ".");
    }
  }
}
