package dev.trellis.analyze.envoy;

import dev.trellis.analyze.GroupCheck;
import dev.trellis.analyze.GroupContext;
import dev.trellis.analyze.Level;
import dev.trellis.analyze.Rule;
import dev.trellis.analyze.envoy.EnvoyIndex.RouteTable;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A domain listed twice among the virtual hosts of one route table (TRL210). */
public final class VirtualHostDomainCheck implements GroupCheck {

  public static final Rule RULE =
      new Rule(
          "TRL210",
          "duplicate-virtual-host-domain",
          Level.ERROR,
          "A domain appears more than once among the virtual hosts of a route configuration.",
          "Envoy compares domains case-insensitively and rejects a route configuration that"
              + " lists one twice (\"Only unique values for domains are permitted\"). Two"
              + " services exposed on the same edge host, or a dependency declared twice, are"
              + " the usual causes.");

  @Override
  public List<Rule> rules() {
    return List.of(RULE);
  }

  @Override
  public void check(GroupContext context) {
    for (RouteTable table : EnvoyIndex.of(context).routeTables) {
      Map<String, String> firstHost = new HashMap<>();
      for (VirtualHost vh : table.config().getVirtualHostsList()) {
        for (String domain : vh.getDomainsList()) {
          String previous = firstHost.putIfAbsent(domain.toLowerCase(Locale.ROOT), vh.getName());
          if (previous != null) {
            String where =
                table.path().isEmpty() ? "" : " of the route configuration at " + table.path();
            String also =
                previous.equals(vh.getName())
                    ? "twice in virtual host '" + previous + "'"
                    : "in virtual hosts '" + previous + "' and '" + vh.getName() + "'";
            context.report(RULE, table.owner(), "domain '" + domain + "' appears " + also + where);
          }
        }
      }
    }
  }
}
