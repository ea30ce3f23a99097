package dev.trellis.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** Group tags come from the published mesh, not from what nodes name. */
class XdsMetricsTest {

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Set<String> published = ConcurrentHashMap.newKeySet();
  private final XdsMetrics metrics = new XdsMetrics(registry, published::contains);

  private static long lines(String text, String prefix) {
    return text.lines().filter(l -> l.startsWith(prefix)).count();
  }

  @Test
  void aThousandUnknownGroupsWithLongNamesShareOneSeries() {
    published.add("web");
    metrics.connected("web");
    metrics.pushed("web", "listeners");
    for (int i = 0; i < 1000; i++) {
      String group = i + "-" + "g".repeat(100_000);
      metrics.connected(group);
      metrics.pushed(group, "listeners");
      metrics.acked(group, "listeners", 1_000_000);
      metrics.nacked(group, "listeners");
    }

    String scrape = registry.scrape();

    // Measured: 2,030 characters. A series per name would hold each 100 KB name 4 times: ~400 MB.
    assertThat(scrape.length()).isLessThan(16 * 1024);
    assertThat(scrape).doesNotContain("gggggggggg");
    assertThat(lines(scrape, "trellis_xds_proxies_connected{")).isEqualTo(2);
    assertThat(scrape)
        .contains("trellis_xds_proxies_connected{group=\"(unknown)\"} 1000.0")
        .contains("trellis_xds_proxies_connected{group=\"web\"} 1.0")
        .contains("trellis_xds_pushes_total{group=\"(unknown)\",type=\"listeners\"} 1000.0")
        .contains("trellis_xds_acks_total{group=\"(unknown)\",type=\"listeners\"} 1000.0")
        .contains("trellis_xds_nacks_total{group=\"(unknown)\",type=\"listeners\"} 1000.0");
  }

  @Test
  void aNameIsForgottenWithItsLastStream() {
    for (int i = 0; i < 1000; i++) {
      metrics.connected("stray-" + i);
    }
    metrics.connected("stray-0");
    for (int i = 0; i < 1000; i++) {
      metrics.disconnected("stray-" + i);
    }

    assertThat(metrics.trackedNames()).isEqualTo(1);
    assertThat(registry.scrape())
        .contains("trellis_xds_proxies_connected{group=\"(unknown)\"} 1.0");
    metrics.disconnected("stray-0");
    assertThat(metrics.trackedNames()).isZero();
    assertThat(registry.scrape())
        .contains("trellis_xds_proxies_connected{group=\"(unknown)\"} 0.0");
  }

  @Test
  void aGroupPublishedAfterItsProxiesConnectedGetsItsOwnSeriesOnItsFirstPush() {
    metrics.connected("late");
    metrics.connected("late");
    assertThat(registry.scrape())
        .contains("trellis_xds_proxies_connected{group=\"(unknown)\"} 2.0")
        .doesNotContain("group=\"late\"");

    published.add("late");
    metrics.pushed("late", "clusters");

    assertThat(registry.scrape())
        .contains("trellis_xds_proxies_connected{group=\"late\"} 2.0")
        .contains("trellis_xds_proxies_connected{group=\"(unknown)\"} 0.0")
        .contains("trellis_xds_pushes_total{group=\"late\",type=\"clusters\"} 1.0");
    metrics.disconnected("late");
    assertThat(registry.scrape()).contains("trellis_xds_proxies_connected{group=\"late\"} 1.0");
  }
}
