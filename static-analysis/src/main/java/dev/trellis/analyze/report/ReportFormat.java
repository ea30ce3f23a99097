package dev.trellis.analyze.report;

import dev.trellis.analyze.RuleRegistry;
import java.util.Locale;
import java.util.function.Function;

/** The output formats of {@code trellis lint}, by the name a user passes. */
public enum ReportFormat {
  TEXT(r -> new TextReporter()),
  JSON(r -> new JsonReporter()),
  SARIF(r -> new SarifReporter(r, SarifReporter.TOOL_VERSION)),
  JUNIT(JUnitReporter::new),
  GITHUB(GithubReporter::new);

  private final Function<RuleRegistry, Reporter> factory;

  ReportFormat(Function<RuleRegistry, Reporter> factory) {
    this.factory = factory;
  }

  public Reporter reporter(RuleRegistry registry) {
    return factory.apply(registry);
  }

  /** The lower-case name, e.g. {@code sarif}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
