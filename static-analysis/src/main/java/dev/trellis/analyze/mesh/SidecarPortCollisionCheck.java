package dev.trellis.analyze.mesh;

import dev.trellis.analyze.Level;
import dev.trellis.analyze.MeshCheck;
import dev.trellis.analyze.MeshContext;
import dev.trellis.analyze.Rule;
import dev.trellis.model.Dependency;
import dev.trellis.model.Mesh;
import dev.trellis.model.MeshConfig;
import dev.trellis.model.Protocol;
import dev.trellis.model.ServiceDef;
import java.util.List;
import java.util.Optional;

/**
 * A port that a service's app and its sidecar would both listen on, on the same host (TRL307): the
 * app's port against the sidecar's inbound and outbound ports and the outbound listeners of its TCP
 * dependencies, and those listeners against the inbound port.
 */
public final class SidecarPortCollisionCheck implements MeshCheck {

  public static final Rule RULE =
      new Rule(
          "TRL307",
          "sidecar-port-collision",
          Level.ERROR,
          "A service's app port is also a port its sidecar listens on.",
          "A sidecar runs beside the app and listens on the same host: on the mesh's inbound"
              + " port (0.0.0.0), on its outbound port (127.0.0.1), and on 127.0.0.1 at the port"
              + " of each TCP dependency, which the app dials as if the dependency were local."
              + " Whichever starts second cannot bind a port the other holds, so the app or a"
              + " listener of its sidecar never serves. Move the app, or the mesh's sidecar"
              + " ports, so that they differ.");

  @Override
  public List<Rule> rules() {
    return List.of(RULE);
  }

  @Override
  public void check(MeshContext context) {
    Mesh mesh = context.mesh();
    MeshConfig config = mesh.config();
    for (ServiceDef s : mesh.services().values()) {
      if (!s.sidecar()) {
        continue;
      }
      sidecarPort(config, s.port())
          .ifPresent(
              what ->
                  context.report(
                      RULE,
                      s.provenance().locate("port"),
                      "port "
                          + s.port()
                          + " of service '"
                          + s.name()
                          + "' is also "
                          + what
                          + ", and the app and its sidecar share the host's ports",
                      s.name()));
      for (int i = 0; i < s.dependencies().size(); i++) {
        Dependency d = s.dependencies().get(i);
        Optional<ServiceDef> callee = mesh.service(d.name());
        if (callee.isEmpty() || callee.get().protocol() != Protocol.TCP) {
          continue;
        }
        int port = callee.get().port();
        String listener =
            "the sidecar of '"
                + s.name()
                + "' listens on 127.0.0.1:"
                + port
                + " for its TCP dependency '"
                + d.name()
                + "'";
        if (port == s.port()) {
          context.report(
              RULE,
              s.provenance().locate("dependencies[" + i + "]"),
              listener + ", the port of the app '" + s.name() + "' itself",
              s.name());
        } else if (port == config.inboundPort()) {
          context.report(
              RULE,
              s.provenance().locate("dependencies[" + i + "]"),
              listener + ", which is also " + sidecarPort(config, port).orElseThrow(),
              s.name());
        }
      }
    }
  }

  /** What the sidecar uses {@code port} for, if anything fixed by mesh.yaml. */
  private static Optional<String> sidecarPort(MeshConfig config, int port) {
    if (port == config.inboundPort()) {
      return Optional.of(
          "the sidecars' inbound port (sidecar.inboundPort, " + where(config, "inboundPort") + ")");
    }
    if (port == config.outboundPort()) {
      return Optional.of(
          "the sidecars' outbound port (sidecar.outboundPort, "
              + where(config, "outboundPort")
              + ")");
    }
    return Optional.empty();
  }

  private static String where(MeshConfig config, String field) {
    String path = "sidecar." + field;
    var loc = config.provenance().fields().get(path);
    return loc == null ? "the default" : loc.toString();
  }
}
