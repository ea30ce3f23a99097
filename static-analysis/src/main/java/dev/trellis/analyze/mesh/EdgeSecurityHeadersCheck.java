package dev.trellis.analyze.mesh;

import dev.trellis.analyze.Level;
import dev.trellis.analyze.MeshCheck;
import dev.trellis.analyze.MeshContext;
import dev.trellis.analyze.Rule;
import dev.trellis.model.EdgeExposure;
import dev.trellis.model.ServiceDef;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * An edge route to a service whose responses lack the browser security headers (TRL309):
 * Strict-Transport-Security, X-Content-Type-Options, and framing protection (X-Frame-Options, or a
 * Content-Security-Policy with frame-ancestors). Read from the headers the gateway's rendered
 * config adds at route, virtual host and route configuration level. One finding per service, at its
 * {@code edge.securityHeaders}.
 */
public final class EdgeSecurityHeadersCheck implements MeshCheck {

  public static final Rule RULE =
      new Rule(
          "TRL309",
          "edge-route-without-security-headers",
          Level.WARNING,
          "A service is exposed at the edge without browser security headers.",
          "Three response headers close common browser attacks for any app: HSTS keeps"
              + " browsers on HTTPS, 'X-Content-Type-Options: nosniff' stops content sniffing"
              + " into scripts, and framing protection (X-Frame-Options, or a"
              + " Content-Security-Policy with frame-ancestors) stops clickjacking. Trellis adds"
              + " them at the edge by default; this rule reads the gateway's rendered routes and"
              + " reports a service for which they were removed (securityHeaders in mesh.yaml or"
              + " edge.securityHeaders set to false) or a template that does not add them.");

  static final String HSTS = "strict-transport-security";
  static final String NOSNIFF = "x-content-type-options";
  static final String FRAME_OPTIONS = "x-frame-options";
  static final String CSP = "content-security-policy";

  @Override
  public List<Rule> rules() {
    return List.of(RULE);
  }

  @Override
  public void check(MeshContext context) {
    for (EdgeRoutes.Exposed exposed : EdgeRoutes.exposed(context)) {
      ServiceDef s = exposed.service();
      EdgeExposure edge = exposed.edge();
      // By virtual host: the routes of one host usually share its headers.
      Map<String, Set<String>> missing = new LinkedHashMap<>();
      for (EdgeRoutes.Site site : exposed.sites()) {
        Map<String, String> headers = new LinkedHashMap<>();
        add(headers, site.config().getResponseHeadersToAddList());
        add(headers, site.host().getResponseHeadersToAddList());
        add(headers, site.route().getResponseHeadersToAddList());
        List<String> lacking = new ArrayList<>();
        if (!headers.containsKey(HSTS)) {
          lacking.add(HSTS);
        }
        if (!headers.containsKey(NOSNIFF)) {
          lacking.add(NOSNIFF);
        }
        if (!headers.containsKey(FRAME_OPTIONS)
            && !headers
                .getOrDefault(CSP, "")
                .toLowerCase(Locale.ROOT)
                .contains("frame-ancestors")) {
          lacking.add(FRAME_OPTIONS + " (or " + CSP + " with frame-ancestors)");
        }
        if (!lacking.isEmpty()) {
          missing.computeIfAbsent(site.hostWhere(), k -> new LinkedHashSet<>()).addAll(lacking);
        }
      }
      if (!missing.isEmpty()) {
        List<String> parts = new ArrayList<>();
        missing.forEach(
            (where, names) -> parts.add(where + " sends no " + String.join(", ", names)));
        context.report(
            RULE,
            s.provenance().locate("edge.securityHeaders"),
            "service '"
                + s.name()
                + "' is exposed through gateway '"
                + edge.gateway()
                + "' without browser security headers: "
                + String.join("; ", parts)
                + "; keep Trellis' defaults or set them in securityHeaders",
            edge.gateway());
      }
    }
  }

  private static void add(Map<String, String> headers, List<HeaderValueOption> options) {
    for (HeaderValueOption o : options) {
      headers.put(o.getHeader().getKey().toLowerCase(Locale.ROOT), o.getHeader().getValue());
    }
  }
}
