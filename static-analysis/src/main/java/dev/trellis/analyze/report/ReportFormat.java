package dev.trellis.analyze.report;

import dev.trellis.analyze.Level;
import dev.trellis.analyze.RuleRegistry;
import java.util.Locale;
import java.util.function.BiFunction;

/** The output formats of {@code trellis lint}, by the name a user passes. */
public enum ReportFormat {
  TEXT((r, failOn) -> new TextReporter()),
  JSON((r, failOn) -> new JsonReporter()),
  SARIF((r, failOn) -> new SarifReporter(r, SarifReporter.TOOL_VERSION)),
  JUNIT(JUnitReporter::new),
  GITHUB((r, failOn) -> new GithubReporter(r));

  private final BiFunction<RuleRegistry, Level, Reporter> factory;

  ReportFormat(BiFunction<RuleRegistry, Level, Reporter> factory) {
    this.factory = factory;
  }

  /**
   * @param failOn the {@code --fail-on} threshold: formats that mark failures (JUnit) mark only
   *     findings at or above it
   */
  public Reporter reporter(RuleRegistry registry, Level failOn) {
    return factory.apply(registry, failOn);
  }

  /** The lower-case name, e.g. {@code sarif}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
