package dev.trellis.analyze.mesh;

import dev.trellis.analyze.Level;
import dev.trellis.analyze.MeshCheck;
import dev.trellis.analyze.MeshContext;
import dev.trellis.analyze.Rule;
import dev.trellis.model.Dependency;
import dev.trellis.model.ServiceDef;
import dev.trellis.render.ProxyGroup;
import dev.trellis.render.RenderedGroup;
import dev.trellis.render.ResourceType;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import java.util.ArrayList;
import java.util.List;

/**
 * A dependency whose calls are retried without a per-try timeout (TRL311). Read from the caller's
 * rendered config: its sidecar's {@code outbound} virtual host for the dependency. Proxyless gRPC
 * has no per-try timeout (gRFC A44), so its routes are not asked for one. One finding per
 * dependency, at its {@code retries}.
 */
public final class RetryPerTryTimeoutCheck implements MeshCheck {

  public static final Rule RULE =
      new Rule(
          "TRL311",
          "retry-without-per-try-timeout",
          Level.WARNING,
          "A dependency's calls are retried without a per-try timeout.",
          "Retries help when an attempt fails fast (a refused connection, a reset, an"
              + " UNAVAILABLE). An attempt that hangs instead uses up the whole timeout of the"
              + " call, and no time is left to retry: the retry policy never helps with slow"
              + " instances. A per-try timeout shorter than the call's timeout ends such an"
              + " attempt and leaves room for another, on another instance. Set"
              + " retries.perTryTimeout on the dependency or in trafficDefaults.");

  @Override
  public List<Rule> rules() {
    return List.of(RULE);
  }

  @Override
  public void check(MeshContext context) {
    for (ServiceDef s : context.mesh().services().values()) {
      if (s.dependencies().isEmpty()) {
        continue;
      }
      // The caller's route configurations, read once for all its dependencies.
      List<RouteConfiguration> sidecar = routes(context, ProxyGroup.sidecar(s.name()));
      for (int i = 0; i < s.dependencies().size(); i++) {
        Dependency d = s.dependencies().get(i);
        List<String> where = new ArrayList<>();
        int retries = 0;
        for (Site site : sites(s, d, sidecar)) {
          RetryPolicy p = site.route().getRoute().getRetryPolicy();
          int n = p.hasNumRetries() ? p.getNumRetries().getValue() : 1;
          if (site.route().getRoute().hasRetryPolicy() && n > 0 && !p.hasPerTryTimeout()) {
            where.add(site.where());
            retries = Math.max(retries, n);
          }
        }
        if (!where.isEmpty()) {
          context.report(
              RULE,
              s.provenance().locate("dependencies[" + i + "].retries"),
              "service '"
                  + s.name()
                  + "' retries its calls to '"
                  + d.name()
                  + "' up to "
                  + retries
                  + (retries == 1 ? " time" : " times")
                  + " without a per-try timeout ("
                  + String.join("; ", where)
                  + "): a hung attempt uses up the whole call timeout; set"
                  + " dependencies["
                  + i
                  + "].retries.perTryTimeout or trafficDefaults.retries.perTryTimeout",
              s.name());
        }
      }
    }
  }

  private record Site(String group, RouteConfiguration config, Route route) {
    String where() {
      return "group '" + group + "', route configuration '" + config.getName() + "'";
    }
  }

  private static List<RouteConfiguration> routes(MeshContext context, ProxyGroup g) {
    RenderedGroup group = context.rendered().groups().get(g.id());
    return group == null ? List.of() : group.protos(ResourceType.ROUTE, RouteConfiguration.class);
  }

  /** The routes of {@code caller}'s sidecar that carry its calls to {@code d}. */
  private static List<Site> sites(
      ServiceDef caller, Dependency d, List<RouteConfiguration> sidecarRoutes) {
    List<Site> out = new ArrayList<>();
    for (RouteConfiguration rc : sidecarRoutes) {
      if (rc.getName().equals("outbound")) {
        rc.getVirtualHostsList().stream()
            .filter(v -> v.getName().equals(d.name()))
            .findFirst()
            .ifPresent(v -> addRoutes(v, ProxyGroup.sidecar(caller.name()).id(), rc, out));
      }
    }
    return out;
  }

  private static void addRoutes(
      VirtualHost v, String group, RouteConfiguration rc, List<Site> out) {
    v.getRoutesList().stream()
        .filter(Route::hasRoute)
        .forEach(r -> out.add(new Site(group, rc, r)));
  }
}
