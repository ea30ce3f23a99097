package dev.trellis.analyze.mesh;

import dev.trellis.analyze.Level;
import dev.trellis.analyze.MeshCheck;
import dev.trellis.analyze.MeshContext;
import dev.trellis.analyze.Rule;
import dev.trellis.model.EdgeExposure;
import dev.trellis.model.Protocol;
import dev.trellis.model.ServiceDef;
import java.util.List;

/** A TCP service exposed through an edge gateway, which only routes HTTP (TRL306). */
public final class EdgeTcpServiceCheck implements MeshCheck {

  public static final Rule RULE =
      new Rule(
          "TRL306",
          "edge-exposes-tcp-service",
          Level.ERROR,
          "A TCP service is exposed through an edge gateway.",
          "Edge gateways route HTTP requests to services by host and path. A service declared"
              + " 'protocol: tcp' would be sent HTTP requests it does not speak, so every request"
              + " through the edge would fail. Remove the edge section, or declare the protocol"
              + " the service really speaks.");

  @Override
  public List<Rule> rules() {
    return List.of(RULE);
  }

  @Override
  public void check(MeshContext context) {
    for (ServiceDef s : context.mesh().services().values()) {
      if (s.protocol() != Protocol.TCP || s.edge().isEmpty()) {
        continue;
      }
      EdgeExposure edge = s.edge().get();
      context.report(
          RULE,
          s.provenance().locate("edge"),
          "service '"
              + s.name()
              + "' speaks tcp but is exposed through gateway '"
              + edge.gateway()
              + "', which routes HTTP requests by host and path",
          edge.gateway());
    }
  }
}
