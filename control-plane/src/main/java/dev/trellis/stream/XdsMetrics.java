package dev.trellis.stream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The xDS server's meters: connected proxies per group, responses pushed, ACKs and NACKs per group
 * and type, and push-to-ACK latency per type. Meters are looked up once and kept.
 */
final class XdsMetrics {

  private final MeterRegistry registry;
  private final ConcurrentMap<String, AtomicInteger> connected = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Counter> counters = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Timer> latencies = new ConcurrentHashMap<>();

  XdsMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void connected(String group) {
    connectedGauge(group).incrementAndGet();
  }

  void disconnected(String group) {
    connectedGauge(group).decrementAndGet();
  }

  /**
   * A stream closed or refused by the identity policy; {@code reason} is one of a fixed few (never
   * a group or node name: those come from the client).
   */
  void refused(String reason) {
    counters
        .computeIfAbsent(
            "trellis.xds.streams.refused\0" + reason,
            k ->
                Counter.builder("trellis.xds.streams.refused")
                    .description(
                        "xDS streams closed or refused: unauthorized group, node changed on the"
                            + " stream, or an invalid node")
                    .tag("reason", reason)
                    .register(registry))
        .increment();
  }

  void pushed(String group, String type) {
    counter("trellis.xds.pushes", "xDS responses sent", group, type).increment();
  }

  void nacked(String group, String type) {
    counter("trellis.xds.nacks", "xDS responses rejected by a proxy", group, type).increment();
  }

  void acked(String group, String type, long latencyNanos) {
    counter("trellis.xds.acks", "xDS responses accepted by a proxy", group, type).increment();
    latencies
        .computeIfAbsent(
            type,
            t ->
                Timer.builder("trellis.xds.push.ack.latency")
                    .description("Time from sending an xDS response to its ACK")
                    .tag("type", t)
                    .serviceLevelObjectives(
                        Duration.ofMillis(1),
                        Duration.ofMillis(5),
                        Duration.ofMillis(10),
                        Duration.ofMillis(50),
                        Duration.ofMillis(100),
                        Duration.ofMillis(500),
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(5),
                        Duration.ofSeconds(30))
                    .register(registry))
        .record(latencyNanos, TimeUnit.NANOSECONDS);
  }

  private AtomicInteger connectedGauge(String group) {
    return connected.computeIfAbsent(
        group,
        g -> {
          AtomicInteger count = new AtomicInteger();
          Gauge.builder("trellis.xds.proxies.connected", count, AtomicInteger::get)
              .description("Connected xDS streams per proxy group")
              .tag("group", g)
              .register(registry);
          return count;
        });
  }

  private Counter counter(String name, String description, String group, String type) {
    return counters.computeIfAbsent(
        name + '\0' + group + '\0' + type,
        k ->
            Counter.builder(name)
                .description(description)
                .tag("group", group)
                .tag("type", type)
                .register(registry));
  }
}
