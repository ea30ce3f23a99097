package dev.trellis.analyze.mesh;

import dev.trellis.analyze.Level;
import dev.trellis.analyze.MeshCheck;
import dev.trellis.analyze.MeshContext;
import dev.trellis.analyze.Rule;
import dev.trellis.model.EdgeExposure;
import dev.trellis.model.Gateway;
import dev.trellis.model.ServiceDef;
import java.util.List;

/**
 * An edge host that two services claim on one gateway with overlapping path prefixes (TRL303).
 * Reported once per pair of services and host, at the host entry of the later service by name.
 */
public final class EdgeRouteConflictCheck implements MeshCheck {

  public static final Rule RULE =
      new Rule(
          "TRL303",
          "edge-route-conflict",
          Level.ERROR,
          "Two services claim the same edge host with overlapping path prefixes.",
          "A gateway sends a request to the first route whose host and path prefix match it."
              + " When two services expose the same host on one gateway and one path prefix"
              + " starts with the other (\"/\" and \"/api\", or \"/api\" and \"/api/pay\"),"
              + " requests under the longer prefix can only reach one of them, and which one"
              + " depends on the order of routes rather than on the definitions. Give each"
              + " service its own host, or paths that do not overlap.");

  @Override
  public List<Rule> rules() {
    return List.of(RULE);
  }

  @Override
  public void check(MeshContext context) {
    for (Gateway gateway : context.mesh().config().gateways()) {
      List<ServiceDef> exposed =
          List.copyOf(context.mesh().exposedThrough(gateway.name()).values());
      for (int b = 0; b < exposed.size(); b++) {
        for (int a = 0; a < b; a++) {
          conflicts(context, gateway, exposed.get(a), exposed.get(b));
        }
      }
    }
  }

  /**
   * Reports the hosts of {@code later} that {@code earlier} also claims with an overlapping path.
   */
  private static void conflicts(
      MeshContext context, Gateway gateway, ServiceDef earlier, ServiceDef later) {
    EdgeExposure first = earlier.edge().orElseThrow();
    EdgeExposure second = later.edge().orElseThrow();
    for (int h = 0; h < second.hosts().size(); h++) {
      String host = second.hosts().get(h);
      int firstHost = first.hosts().indexOf(host);
      if (firstHost < 0) {
        continue;
      }
      String overlap = overlap(first.paths(), second.paths());
      if (overlap == null) {
        continue;
      }
      context.report(
          RULE,
          later.provenance().locate("edge.hosts[" + h + "]"),
          "host '"
              + host
              + "' on gateway '"
              + gateway.name()
              + "' is claimed by '"
              + later.name()
              + "' and by '"
              + earlier.name()
              + "' ("
              + earlier.provenance().locate("edge.hosts[" + firstHost + "]")
              + ") with overlapping paths: "
              + overlap,
          gateway.name());
    }
  }

  /** The first pair of overlapping path prefixes, described, or null if none overlap. */
  private static String overlap(List<String> earlier, List<String> later) {
    for (String p : later) {
      for (String q : earlier) {
        if (p.startsWith(q) || q.startsWith(p)) {
          return p.equals(q) ? "both route '" + p + "'" : "'" + p + "' here and '" + q + "' there";
        }
      }
    }
    return null;
  }
}
