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
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

  /** A domain named by two virtual hosts, as read back from a finding of {@link #RULE}. */
  public record SharedDomain(String domain, String laterHost) {}

  /** The text of a finding, and {@link #sharedDomain} reads it back. */
  private static final Pattern SHARED =
      Pattern.compile("domain '([^']*)' appears in virtual hosts '[^']*' and '([^']*)'");

  static String message(String domain, String first, String later) {
    String also =
        first.equals(later)
            ? "twice in virtual host '" + first + "'"
            : "in virtual hosts '" + first + "' and '" + later + "'";
    return "domain '" + domain + "' appears " + also;
  }

  /**
   * The domain and the later of two distinct virtual hosts that a {@link #RULE} finding's message
   * names; empty for a domain listed twice in one virtual host.
   */
  public static Optional<SharedDomain> sharedDomain(String message) {
    Matcher m = SHARED.matcher(message);
    return m.find() ? Optional.of(new SharedDomain(m.group(1), m.group(2))) : Optional.empty();
  }

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
            context.report(RULE, table.owner(), message(domain, previous, vh.getName()) + where);
          }
        }
      }
    }
  }
}
