package dev.trellis.analyze.mesh;

import dev.trellis.analyze.Level;
import dev.trellis.analyze.MeshCheck;
import dev.trellis.analyze.MeshContext;
import dev.trellis.analyze.Rule;
import dev.trellis.model.Gateway;
import dev.trellis.model.Provenance;
import java.util.List;

/**
 * An edge gateway that names an {@code httpsPort} but has no {@code tls:} certificates: it renders
 * a plaintext-only front door (TRL313).
 */
public final class EdgeWithoutTlsCheck implements MeshCheck {

  public static final Rule RULE =
      new Rule(
          "TRL313",
          "edge-gateway-without-tls",
          Level.WARNING,
          "An edge gateway names an httpsPort but has no TLS certificates.",
          "A gateway serves HTTPS only for the hosts of its 'tls:' entries. Without any, nothing"
              + " listens on httpsPort, and the http listener routes requests to the services in"
              + " plaintext instead of redirecting them to HTTPS. Add 'tls:' with the hosts'"
              + " certificates (certFile and keyFile on the edge proxies, or meshCa: true), or"
              + " remove httpsPort if the gateway is meant to serve plain HTTP.");

  @Override
  public List<Rule> rules() {
    return List.of(RULE);
  }

  @Override
  public void check(MeshContext context) {
    Provenance mesh = context.mesh().config().provenance();
    List<Gateway> gateways = context.mesh().config().gateways();
    for (int i = 0; i < gateways.size(); i++) {
      Gateway g = gateways.get(i);
      String httpsPort = "gateways[" + i + "].httpsPort";
      if (!g.tls().isEmpty() || !mesh.fields().containsKey(httpsPort)) {
        continue;
      }
      context.report(
          RULE,
          mesh.locate(httpsPort),
          "gateway '"
              + g.name()
              + "' names httpsPort "
              + g.httpsPort()
              + " but has no tls: certificates, so it serves plain HTTP only: port "
              + g.httpPort()
              + " routes requests to the services instead of redirecting them to HTTPS; add"
              + " tls: (certFile and keyFile, or meshCa: true) for its hosts",
          g.name());
    }
  }
}
