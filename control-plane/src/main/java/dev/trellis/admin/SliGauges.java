package dev.trellis.admin;

import dev.trellis.sli.ProxySlis;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.SortedMap;
import java.util.function.Function;

/**
 * The indicators as gauges per group, refreshed before each scrape: {@code
 * trellis_sli_requests_per_second}, {@code trellis_sli_availability_ratio}, {@code
 * trellis_sli_latency_p99_milliseconds}; a group without data in the window has none.
 */
final class SliGauges {

  private final MultiGauge rate;
  private final MultiGauge availability;
  private final MultiGauge p99;

  SliGauges(MeterRegistry registry) {
    rate =
        MultiGauge.builder("trellis.sli.requests.per.second")
            .description("requests served per second by the group's proxies, over the SLI window")
            .register(registry);
    availability =
        MultiGauge.builder("trellis.sli.availability")
            .baseUnit("ratio")
            .description("share of requests not answered 5xx, over the SLI window")
            .register(registry);
    p99 =
        MultiGauge.builder("trellis.sli.latency.p99")
            .baseUnit("milliseconds")
            .description("99th percentile of request time at the group's proxies, over the window")
            .register(registry);
  }

  void update(SortedMap<String, ProxySlis.Sli> slis) {
    rate.register(rows(slis, s -> OptionalDouble.of(s.requestsPerSecond())), true);
    availability.register(rows(slis, ProxySlis.Sli::availability), true);
    p99.register(rows(slis, ProxySlis.Sli::p99Millis), true);
  }

  private static List<MultiGauge.Row<?>> rows(
      SortedMap<String, ProxySlis.Sli> slis, Function<ProxySlis.Sli, OptionalDouble> value) {
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    slis.forEach(
        (group, sli) ->
            value
                .apply(sli)
                .ifPresent(v -> rows.add(MultiGauge.Row.of(Tags.of("group", group), v))));
    return rows;
  }
}
