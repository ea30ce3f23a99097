package dev.trellis.analyze.envoy;

/** One compiled protoc-gen-validate constraint on a single value (field value, item, key). */
interface ValueCheck {

  /** The constraint {@code value} fails, or null when it holds. */
  Failure test(Object value);

  /** A failed constraint: what the value must be, and the rule that says so. */
  record Failure(String constraint, String rule) {}
}
