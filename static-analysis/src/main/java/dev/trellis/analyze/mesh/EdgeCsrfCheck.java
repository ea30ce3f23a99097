package dev.trellis.analyze.mesh;

import dev.trellis.analyze.Level;
import dev.trellis.analyze.MeshCheck;
import dev.trellis.analyze.MeshContext;
import dev.trellis.analyze.Rule;
import dev.trellis.model.EdgeExposure;
import dev.trellis.model.ServiceDef;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.extensions.filters.http.csrf.v3.CsrfPolicy;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An edge route to a service that runs no CSRF check, neither enforced nor in shadow mode (TRL308).
 * Read from the gateway's rendered config: the CSRF policy of a route is its own, else its virtual
 * host's, else the CSRF filter's in the connection manager; without that filter there is no check
 * at all. One finding per service, at its {@code edge.csrf}.
 */
public final class EdgeCsrfCheck implements MeshCheck {

  public static final Rule RULE =
      new Rule(
          "TRL308",
          "edge-route-without-csrf",
          Level.WARNING,
          "A service is exposed at the edge without a CSRF check.",
          "A browser sends a site's cookies with requests that other sites trigger (forms,"
              + " scripts), so a request that changes state must come from the site's own pages."
              + " Envoy's CSRF filter rejects mutating requests whose Origin (or Referer) is"
              + " neither the requested host nor an allowed origin; in shadow mode it only counts"
              + " them. The rule reads the gateway's rendered routes to the service. An API that"
              + " browsers never call with cookies may turn the check off, with a suppression"
              + " saying so; otherwise set edge.csrf to shadow, watch the would-be rejections,"
              + " then enforce.");

  static final String FILTER = "envoy.filters.http.csrf";

  @Override
  public List<Rule> rules() {
    return List.of(RULE);
  }

  @Override
  public void check(MeshContext context) {
    for (EdgeRoutes.Exposed exposed : EdgeRoutes.exposed(context)) {
      ServiceDef s = exposed.service();
      EdgeExposure edge = exposed.edge();
      List<String> unprotected = new ArrayList<>();
      for (EdgeRoutes.Site site : exposed.sites()) {
        if (site.managers().isEmpty()) {
          continue; // not served by a connection manager of this group: nothing to judge
        }
        boolean checked = site.managers().stream().allMatch(hcm -> checks(site, hcm));
        if (!checked) {
          unprotected.add(site.where());
        }
      }
      if (!unprotected.isEmpty()) {
        context.report(
            RULE,
            s.provenance().locate("edge.csrf"),
            "service '"
                + s.name()
                + "' is exposed through gateway '"
                + edge.gateway()
                + "' without a CSRF check (neither enforced nor in shadow mode) on "
                + String.join("; ", unprotected)
                + "; set edge.csrf to shadow or enforce",
            edge.gateway());
      }
    }
  }

  /** Whether {@code hcm} runs a CSRF check, enforced or shadow, on the site's route. */
  private static boolean checks(EdgeRoutes.Site site, HttpConnectionManager hcm) {
    Optional<HttpFilter> filter =
        hcm.getHttpFiltersList().stream().filter(EdgeCsrfCheck::isCsrf).findFirst();
    if (filter.isEmpty()) {
      return false;
    }
    Optional<CsrfPolicy> policy =
        site.perFilter(filter.get().getName(), CsrfPolicy.class)
            .or(() -> EdgeRoutes.unpack(filter.get().getTypedConfig(), CsrfPolicy.class));
    return policy.isPresent()
        && (on(policy.get().getFilterEnabled()) || on(policy.get().getShadowEnabled()));
  }

  private static boolean isCsrf(HttpFilter f) {
    return f.hasTypedConfig()
        ? f.getTypedConfig().is(CsrfPolicy.class)
        : f.getName().equals(FILTER);
  }

  private static boolean on(RuntimeFractionalPercent p) {
    return p.getDefaultValue().getNumerator() > 0;
  }
}
