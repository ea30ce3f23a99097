package dev.trellis.bench.scenario;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Named figures of one run, in the order measured. Names end in their unit ({@code _ms}, {@code
 * _mib}, {@code _kib}) or name a count.
 */
public final class Figures {

  private final Map<String, Double> values = new LinkedHashMap<>();

  public void put(String name, double value) {
    values.put(name, value);
  }

  /** Adds {@code prefix_p50_ms}, {@code _p99_ms} and {@code _max_ms} of nanosecond durations. */
  void putLatencies(String prefix, long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    put(prefix + "_p50_ms", ms(percentile(sorted, 50)));
    put(prefix + "_p99_ms", ms(percentile(sorted, 99)));
    put(prefix + "_max_ms", ms(sorted.length == 0 ? 0 : sorted[sorted.length - 1]));
  }

  public Map<String, Double> asMap() {
    return Collections.unmodifiableMap(values);
  }

  /** Nearest-rank percentile of sorted values; 0 for none. */
  static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  static double ms(long nanos) {
    return Math.round(nanos / 1e4) / 100.0;
  }
}
