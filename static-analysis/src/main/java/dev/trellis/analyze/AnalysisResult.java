package dev.trellis.analyze;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What an analysis found: the findings that count and the suppressed ones, both sorted by location,
 * rule id and message.
 */
public record AnalysisResult(List<Finding> findings, List<SuppressedFinding> suppressed) {

  public static final AnalysisResult EMPTY = new AnalysisResult(List.of(), List.of());

  public AnalysisResult {
    findings = findings.stream().sorted().toList();
    suppressed =
        suppressed.stream().sorted(Comparator.comparing(SuppressedFinding::finding)).toList();
  }

  public long count(Level level) {
    return findings.stream().filter(f -> f.level() == level).count();
  }

  /** Counts of counting findings per level, every level present. */
  public Map<Level, Long> counts() {
    Map<Level, Long> out = new EnumMap<>(Level.class);
    for (Level l : Level.values()) {
      out.put(l, count(l));
    }
    return out;
  }

  public boolean hasErrors() {
    return findings.stream().anyMatch(f -> f.level() == Level.ERROR);
  }

  /** Both results' findings together (e.g. one result per group). */
  public AnalysisResult plus(AnalysisResult other) {
    List<Finding> f = new ArrayList<>(findings);
    f.addAll(other.findings);
    List<SuppressedFinding> s = new ArrayList<>(suppressed);
    s.addAll(other.suppressed);
    return new AnalysisResult(f, s);
  }
}
