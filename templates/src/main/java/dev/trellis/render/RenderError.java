package dev.trellis.render;

import java.util.List;
import java.util.stream.Collectors;

/**
 * One problem found while compiling or rendering templates.
 *
 * @param template path under {@code templates/}, e.g. {@code sidecar/clusters.yaml.j2}
 * @param line 1-based line in that template, or 0 when no line is known
 * @param groups the proxy groups whose rendering hit it; empty for problems of the template itself
 * @param message what is wrong, without location
 */
public record RenderError(String template, int line, List<String> groups, String message) {

  public RenderError {
    groups = List.copyOf(groups);
  }

  RenderError(String template, int line, String group, String message) {
    this(template, line, group.isEmpty() ? List.of() : List.of(group), message);
  }

  /** {@code templates/<path>:<line>: message}, then the groups affected, if any. */
  @Override
  public String toString() {
    String where = "templates/" + template + (line > 0 ? ":" + line : "");
    return where + ": " + message + groupSuffix();
  }

  private String groupSuffix() {
    if (groups.isEmpty()) {
      return "";
    }
    if (groups.size() == 1) {
      return " (group '" + groups.get(0) + "')";
    }
    String shown =
        groups.stream().limit(3).map(g -> "'" + g + "'").collect(Collectors.joining(", "));
    int more = groups.size() - 3;
    return " (groups " + shown + (more > 0 ? " and " + more + " more" : "") + ")";
  }
}
