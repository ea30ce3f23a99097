package dev.trellis.stream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * The xDS server's meters: connected proxies per group, responses pushed, ACKs and NACKs per group
 * and type, and push-to-ACK latency per type. Meters are looked up once and kept.
 *
 * <p>A node names its group itself, so the {@code group} tag takes only the names of published
 * groups; every other name shares {@value #UNKNOWN_GROUP}. Series are then bounded by the mesh, not
 * by what clients send.
 */
final class XdsMetrics {

  /** The group tag of nodes whose group is not published; no group id can have parentheses. */
  static final String UNKNOWN_GROUP = "(unknown)";

  private final MeterRegistry registry;
  private final Predicate<String> published;

  /** Connected streams by the group their node names; a name leaves with its last stream. */
  private final ConcurrentMap<String, AtomicInteger> connected = new ConcurrentHashMap<>();

  private final ConcurrentMap<String, Boolean> connectedGauges = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Counter> counters = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Timer> latencies = new ConcurrentHashMap<>();

  /**
   * @param published whether a group id is one of the published mesh's groups now
   */
  XdsMetrics(MeterRegistry registry, Predicate<String> published) {
    this.registry = registry;
    this.published = published;
    Gauge.builder("trellis.xds.proxies.connected", this, XdsMetrics::unknownConnected)
        .description("Connected xDS streams per proxy group")
        .tag("group", UNKNOWN_GROUP)
        .register(registry);
  }

  void connected(String group) {
    connected.compute(
        group,
        (g, count) -> {
          AtomicInteger c = count != null ? count : new AtomicInteger();
          c.incrementAndGet();
          return c;
        });
    tag(group);
  }

  void disconnected(String group) {
    connected.computeIfPresent(group, (g, count) -> count.decrementAndGet() <= 0 ? null : count);
    tag(group);
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
    counter("trellis.xds.pushes", "xDS responses sent", tag(group), type).increment();
  }

  void nacked(String group, String type) {
    counter("trellis.xds.nacks", "xDS responses rejected by a proxy", tag(group), type).increment();
  }

  void acked(String group, String type, long latencyNanos) {
    counter("trellis.xds.acks", "xDS responses accepted by a proxy", tag(group), type).increment();
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

  /**
   * The tag for this group now; a published group also gets its connected gauge here. A group
   * published after its proxies connected is pushed its config at once, so its gauge appears then.
   */
  private String tag(String group) {
    if (!published.test(group)) {
      return UNKNOWN_GROUP;
    }
    connectedGauges.computeIfAbsent(
        group,
        g -> {
          Gauge.builder("trellis.xds.proxies.connected", this, m -> m.connectedTo(g))
              .description("Connected xDS streams per proxy group")
              .tag("group", g)
              .register(registry);
          return true;
        });
    return group;
  }

  /** Streams of a group while it is published (they count as unknown otherwise). */
  private double connectedTo(String group) {
    AtomicInteger count = connected.get(group);
    return count == null || !published.test(group) ? 0 : count.get();
  }

  private double unknownConnected() {
    int sum = 0;
    for (Map.Entry<String, AtomicInteger> e : connected.entrySet()) {
      if (!published.test(e.getKey())) {
        sum += e.getValue().get();
      }
    }
    return sum;
  }

  /** How many group names are held for connected streams (tests). */
  int trackedNames() {
    return connected.size();
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
