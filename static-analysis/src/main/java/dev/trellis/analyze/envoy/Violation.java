package dev.trellis.analyze.envoy;

/**
 * One way a message breaks the constraints its proto declares.
 *
 * @param path the field path from the validated message, e.g. {@code
 *     filter_chains[0].filters[0].typed_config.stat_prefix}
 * @param target the proto element the constraint is declared on, e.g. {@code
 *     envoy.config.cluster.v3.Cluster.connect_timeout}
 * @param constraint what the value must be, e.g. {@code must be greater than 0s}
 * @param rule the protoc-gen-validate rule, e.g. {@code duration.gt}; empty for {@link
 *     Kind#UNRESOLVED_ANY}
 */
public record Violation(Kind kind, String path, String target, String constraint, String rule) {

  public enum Kind {
    /** A protoc-gen-validate constraint fails. */
    CONSTRAINT,
    /** A {@code google.protobuf.Any} holds a type that is unknown or whose bytes do not parse. */
    UNRESOLVED_ANY
  }

  /**
   * E.g. {@code field 'connect_timeout' must be greater than 0s (...Cluster.connect_timeout:
   * duration.gt)}.
   */
  public String text() {
    String noun = rule.startsWith("oneof.") ? "oneof" : "field";
    return noun
        + " '"
        + path
        + "' "
        + constraint
        + " ("
        + target
        + (rule.isEmpty() ? "" : ": " + rule)
        + ")";
  }
}
