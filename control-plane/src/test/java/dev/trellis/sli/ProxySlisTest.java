package dev.trellis.sli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.prometheus.client.Metrics.Bucket;
import io.prometheus.client.Metrics.Counter;
import io.prometheus.client.Metrics.Histogram;
import io.prometheus.client.Metrics.Metric;
import io.prometheus.client.Metrics.MetricFamily;
import io.prometheus.client.Metrics.MetricType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ProxySlisTest {

  /** A clock the test moves. */
  static final class TestClock extends Clock {
    Instant now = Instant.parse("2026-11-25T12:00:00Z");

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }
  }

  static MetricFamily counter(String name, long value) {
    return MetricFamily.newBuilder()
        .setName(name)
        .setType(MetricType.COUNTER)
        .addMetric(Metric.newBuilder().setCounter(Counter.newBuilder().setValue(value)))
        .build();
  }

  /** Envoy's latency histogram: cumulative counts at upper bounds (ms), total as sample count. */
  static MetricFamily histogram(String name, long total, double[] bounds, long[] cumulative) {
    Histogram.Builder h = Histogram.newBuilder().setSampleCount(total);
    for (int i = 0; i < bounds.length; i++) {
      h.addBucket(Bucket.newBuilder().setUpperBound(bounds[i]).setCumulativeCount(cumulative[i]));
    }
    return MetricFamily.newBuilder()
        .setName(name)
        .setType(MetricType.HISTOGRAM)
        .addMetric(Metric.newBuilder().setHistogram(h))
        .build();
  }

  static final double[] BOUNDS = {10, 100, 1000};

  /** A sidecar's report: its inbound side, and outbound traffic that must not count. */
  static List<MetricFamily> report(long completed, long errors, long[] cumulative) {
    List<MetricFamily> out = new ArrayList<>();
    out.add(counter("http.inbound.downstream_rq_completed", completed));
    out.add(counter("http.inbound.downstream_rq_5xx", errors));
    out.add(histogram("http.inbound.downstream_rq_time", completed, BOUNDS, cumulative));
    out.add(counter("http.outbound.downstream_rq_completed", 1_000_000));
    out.add(counter("http.outbound.downstream_rq_5xx", 500_000));
    out.add(counter("cluster.ledger.upstream_rq_completed", 77));
    return out;
  }

  final TestClock clock = new TestClock();
  final ProxySlis slis = new ProxySlis(clock, Duration.ofMinutes(5));

  @Test
  void ratesAvailabilityAndLatencyFromTheDeltasOfEveryProxyOfAGroup() {
    slis.record("payments", "payments-0", report(1000, 10, new long[] {500, 900, 1000}));
    slis.record("payments", "payments-1", report(50, 0, new long[] {50, 50, 50}));
    clock.advance(Duration.ofSeconds(10));
    // 100 more requests at each proxy, 2 of them 5xx in all; latencies: 100 under 10 ms, 90
    // between 10 and 100 ms, 10 between 100 ms and 1 s.
    slis.record("payments", "payments-0", report(1100, 12, new long[] {550, 990, 1100}));
    slis.record("payments", "payments-1", report(150, 0, new long[] {100, 150, 150}));

    ProxySlis.Sli sli = slis.current().get("payments");

    assertThat(sli.proxies()).isEqualTo(2);
    assertThat(sli.requests()).isEqualTo(200);
    assertThat(sli.errors()).isEqualTo(2);
    assertThat(sli.requestsPerSecond()).isCloseTo(20.0, within(1e-9));
    assertThat(sli.availability().getAsDouble()).isCloseTo(0.99, within(1e-9));
    // p50: rank 100 falls at the top of the first bucket; p99: rank 198, 8 into the 10 of
    // (100,1000].
    assertThat(sli.p50Millis().getAsDouble()).isCloseTo(10.0, within(1e-9));
    assertThat(sli.p99Millis().getAsDouble()).isCloseTo(100 + 900 * 0.8, within(1e-9));
  }

  @Test
  void aProxyThatRestartedCountsFromZeroAndSilentProxiesAgeOut() {
    slis.record("web", "web-0", report(5000, 50, new long[] {5000, 5000, 5000}));
    clock.advance(Duration.ofSeconds(30));
    slis.record("web", "web-0", report(40, 4, new long[] {40, 40, 40})); // restarted

    ProxySlis.Sli sli = slis.current().get("web");
    assertThat(sli.requests()).isEqualTo(40);
    assertThat(sli.availability().getAsDouble()).isCloseTo(0.9, within(1e-9));

    clock.advance(Duration.ofMinutes(6));
    assertThat(slis.current()).doesNotContainKey("web");
  }

  @Test
  void aSingleReportHasNoRateYetAndNoAvailability() {
    slis.record("cart", "cart-0", report(10, 0, new long[] {10, 10, 10}));

    ProxySlis.Sli sli = slis.current().get("cart");

    assertThat(sli.requests()).isZero();
    assertThat(sli.availability()).isEmpty();
    assertThat(sli.p99Millis()).isEmpty();
  }

  @Test
  void quantilesInterpolateWithinTheirBucket() {
    SortedMap<Double, Long> cumulative = new TreeMap<>();
    cumulative.put(1.0, 0L);
    cumulative.put(5.0, 50L);
    cumulative.put(25.0, 100L);
    cumulative.put(Double.POSITIVE_INFINITY, 100L);
    assertThat(ProxySlis.quantile(cumulative, 0.5).getAsDouble()).isCloseTo(5.0, within(1e-9));
    assertThat(ProxySlis.quantile(cumulative, 0.75).getAsDouble()).isCloseTo(15.0, within(1e-9));
    assertThat(ProxySlis.quantile(new TreeMap<>(), 0.5)).isEmpty();
  }
}
