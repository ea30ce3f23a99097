package dev.trellis.sli;

import io.prometheus.client.Metrics.Bucket;
import io.prometheus.client.Metrics.Metric;
import io.prometheus.client.Metrics.MetricFamily;
import io.prometheus.client.Metrics.MetricType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Service level indicators per proxy group, from the cumulative HTTP statistics proxies report
 * (Envoy's metrics service): request rate, availability (share of requests not answered 5xx) and
 * latency quantiles over a sliding window; thread-safe.
 *
 * <p>A group's indicators are those of its proxies' server side: every HTTP connection manager but
 * a sidecar's {@code outbound} one, whose requests are the calls the app makes, not the ones it
 * serves. A proxy's counters are cumulative; a drop means it restarted and counts from zero again.
 */
public final class ProxySlis {

  /** The stat prefix of a sidecar's outbound connection manager (see the sidecar templates). */
  static final String OUTBOUND = "outbound";

  /** What one report of one proxy said, summed over its server-side connection managers. */
  record Sample(Instant at, long completed, long errors, SortedMap<Double, Long> latencyBuckets) {}

  /** The indicators of one group over the window. */
  public record Sli(
      String group,
      int proxies,
      long requests,
      long errors,
      double requestsPerSecond,
      OptionalDouble availability,
      OptionalDouble p50Millis,
      OptionalDouble p99Millis) {}

  private final Clock clock;
  private final Duration window;

  // Guarded by this: by group, by node id, oldest sample first.
  private final Map<String, Map<String, Deque<Sample>>> samples = new HashMap<>();

  public ProxySlis(Clock clock, Duration window) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.window = Objects.requireNonNull(window, "window");
  }

  /** Records one report of node {@code nodeId} of {@code group}. */
  public void record(String group, String nodeId, List<MetricFamily> families) {
    Sample sample = sample(clock.instant(), families);
    synchronized (this) {
      Deque<Sample> node =
          samples
              .computeIfAbsent(group, g -> new HashMap<>())
              .computeIfAbsent(nodeId, n -> new ArrayDeque<>());
      node.addLast(sample);
      expire(node, sample.at());
    }
  }

  /** The indicators of every group that reported within the window, by group. */
  public synchronized SortedMap<String, Sli> current() {
    Instant now = clock.instant();
    SortedMap<String, Sli> out = new TreeMap<>();
    samples.forEach(
        (group, nodes) -> {
          nodes.values().forEach(n -> expire(n, now));
          nodes.values().removeIf(Deque::isEmpty);
          if (!nodes.isEmpty()) {
            out.put(group, sli(group, nodes.values(), now));
          }
        });
    samples.values().removeIf(Map::isEmpty);
    return Collections.unmodifiableSortedMap(out);
  }

  private void expire(Deque<Sample> node, Instant now) {
    Instant oldest = now.minus(window);
    // Keep one sample at or before the window's start: the baseline its deltas start from.
    while (node.size() > 1) {
      Sample first = node.removeFirst();
      if (node.getFirst().at().isAfter(oldest)) {
        node.addFirst(first);
        break;
      }
    }
    if (!node.isEmpty() && node.getLast().at().isBefore(oldest)) {
      node.clear(); // silent for a whole window: gone
    }
  }

  private Sli sli(String group, Iterable<Deque<Sample>> nodes, Instant now) {
    long requests = 0;
    long errors = 0;
    SortedMap<Double, Long> buckets = new TreeMap<>();
    int proxies = 0;
    Instant start = now;
    for (Deque<Sample> node : nodes) {
      proxies++;
      Sample previous = null;
      for (Sample s : node) {
        if (previous != null) {
          boolean restarted = s.completed() < previous.completed();
          Sample base = restarted ? new Sample(s.at(), 0, 0, new TreeMap<>()) : previous;
          requests += s.completed() - base.completed();
          errors += s.errors() - base.errors();
          s.latencyBuckets()
              .forEach(
                  (le, n) ->
                      buckets.merge(le, n - base.latencyBuckets().getOrDefault(le, 0L), Long::sum));
        }
        previous = s;
      }
      if (node.getFirst().at().isBefore(start)) {
        start = node.getFirst().at();
      }
    }
    double seconds = Math.max(Duration.between(start, now).toMillis(), 1) / 1000.0;
    return new Sli(
        group,
        proxies,
        requests,
        errors,
        requests / seconds,
        requests == 0
            ? OptionalDouble.empty()
            : OptionalDouble.of(1.0 - (double) errors / requests),
        quantile(buckets, 0.50),
        quantile(buckets, 0.99));
  }

  /**
   * The {@code q} quantile of cumulative buckets (upper bound → count at or below it), linear
   * within the bucket it falls in, as Prometheus' histogram_quantile estimates it.
   */
  static OptionalDouble quantile(SortedMap<Double, Long> cumulative, double q) {
    if (cumulative.isEmpty()) {
      return OptionalDouble.empty();
    }
    long total = cumulative.get(cumulative.lastKey());
    if (total <= 0) {
      return OptionalDouble.empty();
    }
    double rank = q * total;
    double lowerBound = 0;
    long lowerCount = 0;
    for (Map.Entry<Double, Long> b : cumulative.entrySet()) {
      if (b.getValue() >= rank) {
        if (b.getKey().isInfinite()) {
          return OptionalDouble.of(lowerBound);
        }
        long inBucket = b.getValue() - lowerCount;
        double fraction = inBucket == 0 ? 1 : (rank - lowerCount) / inBucket;
        return OptionalDouble.of(lowerBound + (b.getKey() - lowerBound) * fraction);
      }
      lowerBound = b.getKey();
      lowerCount = b.getValue();
    }
    return OptionalDouble.of(lowerBound);
  }

  /** Sums the server-side connection managers' counters and latency buckets of one report. */
  static Sample sample(Instant at, List<MetricFamily> families) {
    long completed = 0;
    long errors = 0;
    SortedMap<Double, Long> buckets = new TreeMap<>();
    for (MetricFamily f : families) {
      String stat = serverSideStat(f.getName());
      if (stat == null) {
        continue;
      }
      for (Metric m : f.getMetricList()) {
        switch (stat) {
          case "downstream_rq_completed" -> completed += counter(f, m);
          case "downstream_rq_5xx" -> errors += counter(f, m);
          case "downstream_rq_time" -> {
            if (f.getType() == MetricType.HISTOGRAM) {
              for (Bucket b : m.getHistogram().getBucketList()) {
                buckets.merge(b.getUpperBound(), b.getCumulativeCount(), Long::sum);
              }
              buckets.merge(Double.POSITIVE_INFINITY, m.getHistogram().getSampleCount(), Long::sum);
            }
          }
          default -> {}
        }
      }
    }
    return new Sample(at, completed, errors, buckets);
  }

  private static long counter(MetricFamily f, Metric m) {
    return switch (f.getType()) {
      case COUNTER -> (long) m.getCounter().getValue();
      case GAUGE -> (long) m.getGauge().getValue();
      default -> 0;
    };
  }

  /** {@code http.<prefix>.<stat>} of a server-side connection manager → stat; else null. */
  private static String serverSideStat(String name) {
    if (!name.startsWith("http.")) {
      return null;
    }
    int dot = name.indexOf('.', 5);
    if (dot < 0 || name.substring(5, dot).equals(OUTBOUND)) {
      return null;
    }
    return name.substring(dot + 1);
  }
}
