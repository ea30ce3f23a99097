package dev.trellis.analyze;

import java.util.regex.Pattern;

/**
 * One analysis rule: a stable id that is never reused, a kebab-case name, its level, a one-line
 * description and a paragraph of documentation. The id's hundred names its category: TRL1xx
 * definitions, TRL2xx rendered Envoy config, TRL3xx mesh policy, TRL4xx mTLS rollout, TRL5xx what
 * the group's xDS clients support.
 */
public record Rule(String id, String name, Level level, String description, String doc) {

  private static final Pattern ID = Pattern.compile("TRL[1-5][0-9][0-9]");
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");

  public Rule {
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException("rule id '" + id + "' is not TRL1xx..TRL5xx");
    }
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("rule " + id + ": name '" + name + "' is not kebab-case");
    }
    if (description.isBlank() || description.contains("\n")) {
      throw new IllegalArgumentException("rule " + id + ": description must be one line");
    }
    if (doc.isBlank()) {
      throw new IllegalArgumentException("rule " + id + ": doc is empty");
    }
  }

  /** The rule's category, read from its id. */
  public Category category() {
    return Category.values()[id.charAt(3) - '1'];
  }

  /** The id ranges, in id order. */
  public enum Category {
    DEFINITIONS,
    ENVOY_CONFIG,
    MESH_POLICY,
    MTLS_ROLLOUT,
    CLIENT_SUPPORT
  }
}
