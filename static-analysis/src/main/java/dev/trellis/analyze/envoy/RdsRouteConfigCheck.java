package dev.trellis.analyze.envoy;

import dev.trellis.analyze.GroupCheck;
import dev.trellis.analyze.GroupContext;
import dev.trellis.analyze.Level;
import dev.trellis.analyze.Rule;
import dev.trellis.analyze.envoy.EnvoyIndex.HcmSite;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import java.util.List;

/** HTTP connection managers that ask RDS for a route configuration the group lacks (TRL204). */
public final class RdsRouteConfigCheck implements GroupCheck {

  public static final Rule RULE =
      new Rule(
          "TRL204",
          "rds-unknown-route-config",
          Level.ERROR,
          "An HTTP connection manager asks RDS for a route configuration the group does not serve.",
          "Envoy keeps such a listener warming until the route configuration arrives, so it never"
              + " takes traffic; proxyless gRPC waits out its resource timeout and fails the"
              + " calls. The RDS name in the listener template must match a route configuration"
              + " the route template renders for the same group.");

  @Override
  public List<Rule> rules() {
    return List.of(RULE);
  }

  @Override
  public void check(GroupContext context) {
    EnvoyIndex index = EnvoyIndex.of(context);
    for (HcmSite site : index.hcms) {
      if (!site.hcm().hasRds()) {
        continue;
      }
      Rds rds = site.hcm().getRds();
      if (EnvoyIndex.viaAds(rds.hasConfigSource(), rds.getConfigSource())
          && !index.routes.containsKey(rds.getRouteConfigName())) {
        context.report(
            RULE,
            site.listener(),
            "HTTP connection manager at "
                + site.path()
                + " asks RDS for route configuration '"
                + rds.getRouteConfigName()
                + "', which the group does not serve");
      }
    }
  }
}
