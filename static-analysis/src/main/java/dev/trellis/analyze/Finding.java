package dev.trellis.analyze;

import dev.trellis.model.SourceLocation;
import dev.trellis.render.Origin;
import dev.trellis.render.RenderedResource;
import java.util.Comparator;
import java.util.Optional;

/**
 * One problem a rule found, placed at the definition it traces back to.
 *
 * @param group the proxy group whose config has the problem, if it is about rendered config
 * @param resource the rendered resource, as {@code Type/name} (e.g. {@code Cluster/ledger})
 */
public record Finding(
    String ruleId,
    Level level,
    String message,
    SourceLocation location,
    Optional<String> group,
    Optional<String> resource)
    implements Comparable<Finding> {

  /** Location, then rule id, then message; group and resource only break the remaining ties. */
  public static final Comparator<Finding> ORDER =
      Comparator.comparing(Finding::location)
          .thenComparing(Finding::ruleId)
          .thenComparing(Finding::message)
          .thenComparing(f -> f.group().orElse(""))
          .thenComparing(f -> f.resource().orElse(""));

  public static Finding of(Rule rule, String message, SourceLocation location) {
    return new Finding(
        rule.id(), rule.level(), message, location, Optional.empty(), Optional.empty());
  }

  /**
   * A finding about one rendered resource of {@code group}, located at the definition it was
   * rendered for: the message gets the resource as prefix ({@code Cluster 'ledger': }) and the
   * group and template as suffix.
   */
  public static Finding about(Rule rule, String group, RenderedResource resource, String message) {
    Origin origin = resource.origin();
    String type = resource.type().protoClass().getSimpleName();
    StringBuilder text = new StringBuilder();
    text.append(type).append(" '").append(resource.name()).append("': ").append(message);
    text.append(" [group '").append(group).append('\'');
    if (!origin.template().isEmpty()) {
      text.append(", template '").append(origin.template()).append("' line ");
      text.append(origin.templateLine());
    }
    text.append(']');
    return new Finding(
        rule.id(),
        rule.level(),
        text.toString(),
        origin.definition(),
        Optional.of(group),
        Optional.of(type + "/" + resource.name()));
  }

  /**
   * An identity that survives unrelated edits: a hash of the rule, file, group, resource and
   * message, but not of line numbers (see {@link Fingerprints}).
   */
  public String fingerprint() {
    return Fingerprints.of(this);
  }

  @Override
  public int compareTo(Finding o) {
    return ORDER.compare(this, o);
  }
}
