package dev.trellis.admin;

import dev.trellis.analyze.AnalysisResult;
import dev.trellis.analyze.Finding;
import dev.trellis.analyze.Level;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The analysis of the last loaded definitions and the groups the publish gate held back because of
 * it, shown at {@code /debug/findings} and counted in the metrics.
 */
public final class AnalysisStatus {

  /** One analysis and its effect on publishing. */
  public record Snapshot(AnalysisResult result, SortedMap<String, List<Finding>> blocked) {
    static final Snapshot NONE = new Snapshot(AnalysisResult.EMPTY, new TreeMap<>());
  }

  private volatile Snapshot current = Snapshot.NONE;

  public AnalysisStatus(MeterRegistry registry) {
    for (Level level : Level.values()) {
      Gauge.builder("trellis.analysis.findings", () -> current.result().count(level))
          .description("Findings of the last analysis of the definitions, by level")
          .tag("level", level.label())
          .register(registry);
    }
    Gauge.builder("trellis.publish.blocked.groups", () -> current.blocked().size())
        .description("Proxy groups held on their last good config by error findings")
        .register(registry);
  }

  public void analyzed(AnalysisResult result, Map<String, List<Finding>> blocked) {
    current = new Snapshot(result, new TreeMap<>(blocked));
  }

  public Snapshot current() {
    return current;
  }
}
