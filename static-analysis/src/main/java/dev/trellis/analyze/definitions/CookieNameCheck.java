package dev.trellis.analyze.definitions;

import dev.trellis.analyze.Level;
import dev.trellis.analyze.MeshCheck;
import dev.trellis.analyze.MeshContext;
import dev.trellis.analyze.Rule;
import dev.trellis.model.CookieNames;
import dev.trellis.model.ServiceDef;
import java.util.List;
import java.util.Optional;

/**
 * An entry of a service's cookie allowlist ({@code edge.cookies.allowed}) that is not a valid
 * cookie name by RFC 6265 (TRL104), checked with {@link CookieNames#problem}; one finding per
 * entry, at the entry.
 */
public final class CookieNameCheck implements MeshCheck {

  public static final Rule RULE =
      new Rule(
          "TRL104",
          "cookie-name-invalid",
          Level.ERROR,
          "A cookie allowlist entry is not a valid cookie name.",
          "edge.cookies.allowed lists the cookies a service may set through the edge, by exact"
              + " name. A cookie name is an RFC 6265 token: ASCII without controls, spaces or"
              + " separators such as ';', '=', ',' or quotes. An entry outside that set matches"
              + " no cookie a browser keeps, so the cookie it was meant to allow is reported as"
              + " a violation, or stripped in enforce mode. Write the name exactly as the"
              + " service sets it.");

  @Override
  public List<Rule> rules() {
    return List.of(RULE);
  }

  @Override
  public void check(MeshContext context) {
    for (ServiceDef s : context.mesh().services().values()) {
      List<String> allowed =
          s.edge().flatMap(e -> e.cookies()).map(c -> c.allowed()).orElse(List.of());
      for (int i = 0; i < allowed.size(); i++) {
        String name = allowed.get(i);
        Optional<String> problem = CookieNames.problem(name);
        if (problem.isPresent()) {
          String field = "edge.cookies.allowed[" + i + "]";
          context.report(
              RULE,
              s.provenance().locate(field),
              "service '"
                  + s.name()
                  + "': "
                  + field
                  + " '"
                  + shown(name)
                  + "' is not a valid cookie name: it "
                  + problem.get());
        }
      }
    }
  }

  /** The name on one line: controls and non-ASCII escaped, quotes and backslashes too. */
  static String shown(String name) {
    StringBuilder out = new StringBuilder();
    name.codePoints()
        .forEach(
            c -> {
              if (c == '\'' || c == '\\') {
                out.append('\\').append((char) c);
              } else if (c < 0x20 || c >= 0x7F) {
                out.append(String.format("\\u%04X", c));
              } else {
                out.append((char) c);
              }
            });
    return out.toString();
  }
}
