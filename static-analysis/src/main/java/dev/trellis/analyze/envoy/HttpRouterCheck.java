package dev.trellis.analyze.envoy;

import dev.trellis.analyze.GroupCheck;
import dev.trellis.analyze.GroupContext;
import dev.trellis.analyze.Level;
import dev.trellis.analyze.Rule;
import dev.trellis.analyze.envoy.EnvoyIndex.HcmSite;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.util.List;

/** HTTP filter chains without the router filter, or with it anywhere but last (TRL208). */
public final class HttpRouterCheck implements GroupCheck {

  public static final Rule RULE =
      new Rule(
          "TRL208",
          "http-router-not-last",
          Level.ERROR,
          "An HTTP filter chain lacks the router filter or has it somewhere other than last.",
          "The router is the terminal HTTP filter: it forwards the request. Envoy rejects a"
              + " chain whose last filter is not terminal or that has a filter after the router,"
              + " and proxyless gRPC NACKs a connection manager without it (\"Missing HttpFilter"
              + " in HttpConnectionManager\").");

  static final String ROUTER_NAME = "envoy.filters.http.router";

  @Override
  public List<Rule> rules() {
    return List.of(RULE);
  }

  @Override
  public void check(GroupContext context) {
    for (HcmSite site : EnvoyIndex.of(context).hcms) {
      List<HttpFilter> filters = site.hcm().getHttpFiltersList();
      String chain = "HTTP filter chain at " + site.path() + ".typed_config.http_filters";
      int router = -1;
      for (int i = 0; i < filters.size(); i++) {
        if (isRouter(filters.get(i))) {
          router = i;
          break;
        }
      }
      if (router < 0) {
        context.report(
            RULE, site.listener(), chain + " has no router filter (" + ROUTER_NAME + ")");
      } else if (router != filters.size() - 1) {
        context.report(
            RULE,
            site.listener(),
            chain
                + " has the router filter at position "
                + (router + 1)
                + " of "
                + filters.size()
                + "; it must be last");
      }
    }
  }

  /** Envoy finds a filter's factory by its config's type URL, or by name when there is none. */
  static boolean isRouter(HttpFilter f) {
    if (f.hasTypedConfig()) {
      return EnvoyIndex.holds(f.getTypedConfig(), Router.getDescriptor());
    }
    return !f.hasConfigDiscovery() && f.getName().equals(ROUTER_NAME);
  }
}
