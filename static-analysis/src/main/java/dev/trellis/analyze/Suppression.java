package dev.trellis.analyze;

import dev.trellis.model.SourceLocation;
import java.util.Optional;

/**
 * Why a finding does not count: an in-file {@code # trellis:ignore} comment (with its location) or
 * a baseline entry.
 */
public record Suppression(Kind kind, String reason, Optional<SourceLocation> at) {

  public enum Kind {
    COMMENT,
    BASELINE
  }

  public static Suppression comment(String reason, SourceLocation at) {
    return new Suppression(Kind.COMMENT, reason, Optional.of(at));
  }

  public static Suppression baseline(String file) {
    return new Suppression(Kind.BASELINE, "in baseline " + file, Optional.empty());
  }
}
