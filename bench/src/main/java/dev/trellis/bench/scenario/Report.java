package dev.trellis.bench.scenario;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Writes a bench run as {@code figures.json} (every figure, and Trellis/baseline ratios when both
 * ran) and {@code report.md} (one table per ADS variant, then one per scenario that measures
 * Trellis alone).
 */
public final class Report {

  /** Results by target name, then ADS variant ({@code sotw}, {@code delta}). */
  private final Map<String, Map<String, Figures>> results = new LinkedHashMap<>();

  /** Scenarios that measure Trellis alone (no fleet, no baseline), by title. */
  private final Map<String, Figures> standalone = new LinkedHashMap<>();

  private final Map<String, Object> params;

  public Report(Map<String, Object> params) {
    this.params = new LinkedHashMap<>(params);
  }

  public void add(String target, String variant, Figures figures) {
    results.computeIfAbsent(target, t -> new LinkedHashMap<>()).put(variant, figures);
  }

  /** A scenario measuring Trellis alone, shown as its own table under {@code title}. */
  public void addStandalone(String title, Figures figures) {
    standalone.put(title, figures);
  }

  /** Trellis over baseline per figure and variant, where both have a non-zero figure. */
  public Map<String, Map<String, Double>> ratios() {
    Map<String, Map<String, Double>> out = new LinkedHashMap<>();
    Map<String, Figures> base = results.get("baseline");
    Map<String, Figures> trellis = results.get("trellis");
    if (base == null || trellis == null) {
      return out;
    }
    base.forEach(
        (variant, b) -> {
          Figures t = trellis.get(variant);
          if (t == null) {
            return;
          }
          Map<String, Double> r = new LinkedHashMap<>();
          b.asMap()
              .forEach(
                  (name, bv) -> {
                    Double tv = t.asMap().get(name);
                    if (tv != null && bv != 0 && Double.isFinite(bv) && Double.isFinite(tv)) {
                      r.put(name, Math.round(tv / bv * 100) / 100.0);
                    }
                  });
          out.put(variant, r);
        });
    return out;
  }

  public void write(Path dir) throws IOException {
    Files.createDirectories(dir);
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("params", params);
    Map<String, Object> res = new LinkedHashMap<>();
    results.forEach(
        (target, byVariant) -> {
          Map<String, Object> v = new LinkedHashMap<>();
          byVariant.forEach((variant, f) -> v.put(variant, finite(f.asMap())));
          res.put(target, v);
        });
    json.put("results", res);
    json.put("ratios", ratios());
    Map<String, Object> alone = new LinkedHashMap<>();
    standalone.forEach((title, f) -> alone.put(title, finite(f.asMap())));
    json.put("standalone", alone);
    new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(dir.resolve("figures.json").toFile(), json);
    Files.writeString(dir.resolve("report.md"), markdown(), StandardCharsets.UTF_8);
  }

  String markdown() {
    StringBuilder b = new StringBuilder("# Trellis bench\n\n");
    params.forEach((k, v) -> b.append("- ").append(k).append(": ").append(v).append('\n'));
    if (!results.isEmpty()) {
      b.append('\n')
          .append("Times in ms from the moment the bench acted (fleet start, change handed over,")
          .append(" server killed); heap after a full GC (jcmd). Scenarios: connect every proxy;")
          .append(
              " change one group's routes; change one service's endpoints; kill and restart.\n");
    }
    Map<String, Map<String, Double>> ratios = ratios();
    Set<String> variants = new LinkedHashSet<>();
    results.values().forEach(m -> variants.addAll(m.keySet()));
    for (String variant : variants) {
      b.append("\n## ").append(variant).append("\n\n| figure |");
      results.keySet().forEach(t -> b.append(' ').append(t).append(" |"));
      boolean withRatio = ratios.containsKey(variant);
      if (withRatio) {
        b.append(" trellis/baseline |");
      }
      b.append("\n|---|");
      results.keySet().forEach(t -> b.append("---:|"));
      if (withRatio) {
        b.append("---:|");
      }
      b.append('\n');
      Set<String> names = new LinkedHashSet<>();
      results
          .values()
          .forEach(
              m -> {
                Figures f = m.get(variant);
                if (f != null) {
                  names.addAll(f.asMap().keySet());
                }
              });
      for (String name : names) {
        b.append("| ").append(name).append(" |");
        for (Map<String, Figures> byVariant : results.values()) {
          Figures f = byVariant.get(variant);
          Double v = f == null ? null : f.asMap().get(name);
          b.append(' ').append(format(v)).append(" |");
        }
        if (withRatio) {
          b.append(' ').append(format(ratios.get(variant).get(name))).append(" |");
        }
        b.append('\n');
      }
    }
    standalone.forEach(
        (title, f) -> {
          b.append("\n## ").append(title).append("\n\n| figure | value |\n|---|---:|\n");
          f.asMap()
              .forEach(
                  (name, v) ->
                      b.append("| ").append(name).append(" | ").append(format(v)).append(" |\n"));
        });
    return b.toString();
  }

  private static String format(Double v) {
    if (v == null || !Double.isFinite(v)) {
      return "–";
    }
    return v == Math.rint(v) && Math.abs(v) < 1e15
        ? Long.toString(v.longValue())
        : String.format(java.util.Locale.ROOT, "%.2f", v);
  }

  private static Map<String, Double> finite(Map<String, Double> m) {
    Map<String, Double> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(k, Double.isFinite(v) ? v : null));
    return out;
  }
}
