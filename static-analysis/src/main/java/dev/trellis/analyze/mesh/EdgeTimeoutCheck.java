package dev.trellis.analyze.mesh;

import com.google.protobuf.util.Durations;
import dev.trellis.analyze.Level;
import dev.trellis.analyze.MeshCheck;
import dev.trellis.analyze.MeshContext;
import dev.trellis.analyze.Rule;
import dev.trellis.model.EdgeExposure;
import dev.trellis.model.ServiceDef;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A service exposed at the edge whose edge routes have no deadline (TRL302): in the rendered config
 * of its gateway, a route to the service's cluster that sets no {@code timeout} (Envoy then applies
 * its built-in 15s, which no definition states) or sets {@code 0s} (no deadline at all). One
 * finding per service, listing its routes, at the service's edge section.
 */
public final class EdgeTimeoutCheck implements MeshCheck {

  public static final Rule RULE =
      new Rule(
          "TRL302",
          "edge-route-without-timeout",
          Level.WARNING,
          "A service is exposed at the edge without a timeout on its edge routes.",
          "Requests from outside the mesh should have a deadline chosen for the service: without"
              + " one a slow or hung backend holds the gateway's connections and the client's"
              + " request open. The rule reads the gateway's rendered routes to the service: a"
              + " route without 'timeout' gets Envoy's unstated default of 15s, and 'timeout: 0s'"
              + " disables the deadline altogether. Set the timeout the service's clients can"
              + " live with as edge.timeout, or a default for every call as trafficDefaults.timeout"
              + " in mesh.yaml.");

  @Override
  public List<Rule> rules() {
    return List.of(RULE);
  }

  @Override
  public void check(MeshContext context) {
    for (EdgeRoutes.Exposed exposed : EdgeRoutes.exposed(context)) {
      ServiceDef s = exposed.service();
      EdgeExposure edge = exposed.edge();
      List<String> problems = new ArrayList<>();
      for (EdgeRoutes.Site site : exposed.sites()) {
        problem(site.route().getRoute()).ifPresent(p -> problems.add(site.where() + " " + p));
      }
      if (!problems.isEmpty()) {
        context.report(
            RULE,
            s.provenance().locate("edge.timeout"),
            "service '"
                + s.name()
                + "' is exposed through gateway '"
                + edge.gateway()
                + "' without a timeout: "
                + String.join("; ", problems)
                + "; set edge.timeout",
            edge.gateway());
      }
    }
  }

  private static Optional<String> problem(RouteAction action) {
    if (!action.hasTimeout()) {
      return Optional.of("sets none (Envoy's default of 15s applies, unstated)");
    }
    if (Durations.toNanos(action.getTimeout()) == 0) {
      return Optional.of("sets timeout 0s, which disables the deadline");
    }
    return Optional.empty();
  }
}
