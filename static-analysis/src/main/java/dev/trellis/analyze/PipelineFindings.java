package dev.trellis.analyze;

import dev.trellis.model.SourceLocation;
import dev.trellis.model.load.LoadError;
import dev.trellis.render.RenderError;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The problems that stop definitions from being analyzed at all — they do not load, or their
 * templates do not render — as findings, so that a lint run reports them in its chosen format like
 * any other. Neither a suppression comment nor a baseline can hide them: the server would refuse
 * the same definitions.
 */
public final class PipelineFindings {

  public static final Rule DEFINITION_INVALID =
      new Rule(
          "TRL103",
          "definition-invalid",
          Level.ERROR,
          "A definition file does not load.",
          "The strict loader reads mesh.yaml and services/ and reports every problem it finds:"
              + " YAML syntax, unknown or duplicate fields, wrong types, values out of range,"
              + " unknown services and gateways. Definitions that do not load cannot be rendered"
              + " or analyzed further, and the server keeps serving the last good config. The"
              + " message names the field and what is wrong with it. This finding cannot be"
              + " suppressed or baselined.");

  public static final Rule TEMPLATE_RENDER_FAILED =
      new Rule(
          "TRL214",
          "template-render-failed",
          Level.ERROR,
          "A template does not compile, render, or produce valid Envoy resources.",
          "Each template renders YAML that must parse as the Envoy resource type of the template"
              + " (a Cluster, Listener, RouteConfiguration, ClusterLoadAssignment or Secret list,"
              + " in Envoy's JSON field names): Jinja syntax errors, unknown variables or filters,"
              + " output that is not YAML, unknown fields or @types, wrong value types and"
              + " resources rendered twice are reported at the template path and line, with the"
              + " proxy groups whose rendering hit them. The groups that did render are still"
              + " analyzed. This finding cannot be suppressed or baselined.");

  static final List<Rule> RULES = List.of(DEFINITION_INVALID, TEMPLATE_RENDER_FAILED);

  /** The ids of the rules that neither comments nor baselines suppress. */
  public static final Set<String> UNSUPPRESSIBLE =
      Set.of(DEFINITION_INVALID.id(), TEMPLATE_RENDER_FAILED.id());

  /**
   * The longest message of these findings, in characters. Messages can quote what a template
   * rendered or a parser saw; a report must not become a copy of an input that was not ours.
   */
  static final int MAX_MESSAGE = 1024;

  private PipelineFindings() {}

  public static Finding of(LoadError error) {
    return Finding.of(DEFINITION_INVALID, capped(error.message()), error.location());
  }

  static String capped(String message) {
    return message.length() <= MAX_MESSAGE
        ? message
        : message.substring(0, MAX_MESSAGE)
            + "... ("
            + (message.length() - MAX_MESSAGE)
            + " more characters)";
  }

  /**
   * A render error at {@code templates/<path>:<line>}, naming the groups whose rendering hit it
   * (the first three of them); a single group is also the finding's group.
   */
  public static Finding of(RenderError error) {
    SourceLocation at =
        new SourceLocation("templates/" + error.template(), error.line() > 0 ? error.line() : 1, 1);
    List<String> groups = error.groups();
    String message = capped(error.message());
    if (groups.size() == 1) {
      message += " (group '" + groups.get(0) + "')";
    } else if (groups.size() > 1) {
      List<String> shown = groups.stream().limit(3).map(g -> "'" + g + "'").toList();
      int more = groups.size() - shown.size();
      message +=
          " (groups " + String.join(", ", shown) + (more > 0 ? " and " + more + " more" : "") + ")";
    }
    Optional<String> group = groups.size() == 1 ? Optional.of(groups.get(0)) : Optional.empty();
    return new Finding(
        TEMPLATE_RENDER_FAILED.id(),
        TEMPLATE_RENDER_FAILED.level(),
        message,
        at,
        group,
        Optional.empty());
  }
}
