package dev.trellis.analyze.mesh;

import dev.trellis.analyze.Level;
import dev.trellis.analyze.MeshCheck;
import dev.trellis.analyze.MeshContext;
import dev.trellis.analyze.Rule;
import dev.trellis.model.EdgeExposure;
import dev.trellis.model.ServiceDef;
import io.envoyproxy.envoy.config.route.v3.CorsPolicy;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * An edge route to a service whose CORS policy allows credentials from any origin (TRL310). Read
 * from the gateway's rendered config: the CORS filter's per-route or per-virtual-host policy, or
 * the deprecated {@code cors} fields. One finding per service, at its {@code edge.cors}.
 */
public final class CorsWildcardCredentialsCheck implements MeshCheck {

  public static final Rule RULE =
      new Rule(
          "TRL310",
          "cors-wildcard-with-credentials",
          Level.ERROR,
          "A CORS policy allows credentials from any origin.",
          "With allow_credentials, a browser lets a page of another site read the response to"
              + " a request sent with the user's cookies, if the response allows that site's"
              + " origin. Browsers refuse 'Access-Control-Allow-Origin: *' with credentials, but"
              + " Envoy answers an allowed wildcard by echoing the requesting origin, so every"
              + " website could read the service's answers as the logged-in user. List the"
              + " origins that may call the service in edge.cors.allowOrigins, or drop"
              + " allowCredentials.");

  static final String FILTER = "envoy.filters.http.cors";

  @Override
  public List<Rule> rules() {
    return List.of(RULE);
  }

  @Override
  public void check(MeshContext context) {
    for (EdgeRoutes.Exposed exposed : EdgeRoutes.exposed(context)) {
      ServiceDef s = exposed.service();
      EdgeExposure edge = exposed.edge();
      Set<String> hosts = new LinkedHashSet<>();
      for (EdgeRoutes.Site site : exposed.sites()) {
        List<Object> policies = new ArrayList<>();
        site.perFilter(FILTER, io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy.class)
            .ifPresent(policies::add);
        if (site.route().getRoute().hasCors()) {
          policies.add(site.route().getRoute().getCors());
        }
        if (site.host().hasCors()) {
          policies.add(site.host().getCors());
        }
        if (policies.stream().anyMatch(CorsWildcardCredentialsCheck::wildcardWithCredentials)) {
          hosts.add(site.hostWhere());
        }
      }
      if (!hosts.isEmpty()) {
        context.report(
            RULE,
            s.provenance().locate("edge.cors.allowOrigins"),
            "service '"
                + s.name()
                + "' allows credentialed CORS requests from any origin: "
                + String.join("; ", hosts)
                + " allows origin '*' with allow_credentials, so Envoy echoes every requesting"
                + " origin; list the allowed origins in edge.cors.allowOrigins",
            edge.gateway());
      }
    }
  }

  private static boolean wildcardWithCredentials(Object policy) {
    if (policy instanceof io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy p) {
      return p.getAllowCredentials().getValue() && anyOrigin(p.getAllowOriginStringMatchList());
    }
    CorsPolicy p = (CorsPolicy) policy;
    return p.getAllowCredentials().getValue() && anyOrigin(p.getAllowOriginStringMatchList());
  }

  /** Envoy treats an origin matcher that matches "*" as allowing every origin. */
  private static boolean anyOrigin(List<StringMatcher> matchers) {
    return matchers.stream().anyMatch(m -> matches(m, "*"));
  }

  static boolean matches(StringMatcher m, String value) {
    String v = m.getIgnoreCase() ? value.toLowerCase(Locale.ROOT) : value;
    return switch (m.getMatchPatternCase()) {
      case EXACT -> v.equals(fold(m, m.getExact()));
      case PREFIX -> v.startsWith(fold(m, m.getPrefix()));
      case SUFFIX -> v.endsWith(fold(m, m.getSuffix()));
      case CONTAINS -> v.contains(fold(m, m.getContains()));
      case SAFE_REGEX -> {
        try {
          yield Pattern.compile(m.getSafeRegex().getRegex()).matcher(value).matches();
        } catch (PatternSyntaxException e) {
          yield false; // Envoy rejects it; the field constraint rules say so
        }
      }
      default -> false;
    };
  }

  private static String fold(StringMatcher m, String s) {
    return m.getIgnoreCase() ? s.toLowerCase(Locale.ROOT) : s;
  }
}
