package dev.trellis.bench.scenario;

import dev.trellis.bench.baseline.BaselineConfig;
import dev.trellis.bench.fleet.Fleet;
import dev.trellis.bench.fleet.NodeSpec;
import dev.trellis.bench.fleet.SimNode;
import dev.trellis.bench.mesh.Change;
import dev.trellis.model.Mesh;
import dev.trellis.model.ServiceDef;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The server-only scenarios, run in order against one target with one fleet: (1) connect every
 * proxy, (2) change one group's routes, (3) change one service's endpoints, (4) kill and restart
 * the server. Every wait is bounded; a scenario that times out reports how far it got.
 */
public final class Scenarios {

  /** Bounds of every wait, and how long the fleet must be silent to count as settled. */
  public record Limits(Duration connect, Duration change, Duration restart, Duration quiet) {
    public static Limits of(int nodes) {
      Duration scale = Duration.ofMillis(Math.max(30_000, nodes * 30L));
      return new Limits(
          scale, Duration.ofSeconds(60), scale.plusSeconds(60), Duration.ofMillis(750));
    }
  }

  private final Target target;
  private final Mesh mesh;
  private final List<NodeSpec> nodes;
  private final Fleet.Options options;
  private final Limits limits;
  private final PrintStream log;
  private final String tag;

  public Scenarios(
      Target target,
      Mesh mesh,
      List<NodeSpec> nodes,
      Fleet.Options options,
      Limits limits,
      PrintStream log) {
    this.target = target;
    this.mesh = mesh;
    this.nodes = List.copyOf(nodes);
    this.options = options;
    this.limits = limits;
    this.log = log;
    this.tag = "[" + target.name() + "/" + options.mode().name().toLowerCase() + "] ";
  }

  /** Starts the target, runs the four scenarios with one fleet, and stops everything. */
  public Figures runAll() throws IOException, InterruptedException {
    Figures f = new Figures();
    Mesh current = mesh;
    target.start();
    try {
      long heapBefore = Heap.usedAfterGc(target.pid());
      try (Fleet fleet = new Fleet(target.xdsPort(), nodes, options)) {
        connect(fleet, f);
        long heapAfter = Heap.usedAfterGc(target.pid());
        f.put("heap_before_mib", heapBefore / 1048576.0);
        f.put("heap_after_mib", heapAfter / 1048576.0);
        f.put("heap_per_proxy_kib", (heapAfter - heapBefore) / 1024.0 / nodes.size());
        log.printf(
            "%sserver heap after GC: %.1f MiB before, %.1f MiB with %d proxies: %.1f KiB/proxy%n",
            tag,
            heapBefore / 1048576.0,
            heapAfter / 1048576.0,
            nodes.size(),
            (heapAfter - heapBefore) / 1024.0 / nodes.size());

        Change route = new Change(Change.Kind.ROUTE, routeTarget(current), 1);
        change(fleet, "route_change", route, current, f);
        current = route.applyTo(current);

        Change endpoints = new Change(Change.Kind.ENDPOINTS, endpointTarget(current), 1);
        change(fleet, "endpoint_change", endpoints, current, f);

        restart(fleet, f);
      }
    } finally {
      target.close();
    }
    return f;
  }

  private void connect(Fleet fleet, Figures f) throws InterruptedException {
    long t0 = System.nanoTime();
    fleet.start();
    List<SimNode> all = fleet.nodes();
    boolean done = await(limits.connect(), () -> all.stream().allMatch(SimNode::ready));
    SimNode.Stats[] s = stats(fleet);
    long[] latency = new long[s.length];
    long last = t0;
    int ready = 0;
    long responses = 0;
    long resources = 0;
    for (int i = 0; i < s.length; i++) {
      responses += s[i].responses();
      resources += s[i].resources();
      if (s[i].firstReadyNanos() != 0) {
        ready++;
        latency[i] = s[i].firstReadyNanos() - s[i].firstStreamNanos();
        last = Math.max(last, s[i].firstReadyNanos());
      }
    }
    f.put("connect_nodes", s.length);
    f.put("connect_ready_nodes", ready);
    f.put("connect_all_acked_ms", done ? Figures.ms(last - t0) : Double.NaN);
    f.putLatencies("connect_node", latency);
    f.put("connect_responses", responses);
    f.put("connect_resources", resources);
    log.printf(
        "%sconnect: %d/%d proxies ACKed a full config%s%n",
        tag,
        ready,
        s.length,
        done
            ? " in " + Figures.ms(last - t0) + " ms"
            : " before the " + limits.connect() + " limit");
  }

  private void change(Fleet fleet, String name, Change change, Mesh before, Figures f)
      throws IOException, InterruptedException {
    Set<String> groups = changedGroups(before, change.applyTo(before));
    List<SimNode> all = fleet.nodes();
    SimNode.Stats[] pre = stats(fleet);
    List<Integer> affected = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      if (groups.contains(all.get(i).spec().group())) {
        affected.add(i);
      }
    }
    long t0 = System.nanoTime();
    target.apply(change);
    Predicate<Integer> acked =
        i -> {
          SimNode.Stats s = all.get(i).stats();
          return s.lastChangeAckNanos() > t0 && s.changedResources() > pre[i].changedResources();
        };
    boolean done = await(limits.change(), () -> affected.stream().allMatch(acked));
    awaitQuiet(fleet);
    SimNode.Stats[] post = stats(fleet);
    long[] latency =
        affected.stream()
            .filter(i -> post[i].lastChangeAckNanos() > t0)
            .mapToLong(i -> post[i].lastChangeAckNanos() - t0)
            .toArray();
    Delta d = delta(pre, post);
    f.put(name + "_affected_nodes", affected.size());
    f.put(name + "_acked_nodes", latency.length);
    f.putLatencies(name, latency);
    f.put(name + "_nodes_received_anything", d.nodesReceived);
    f.put(name + "_resources_sent", d.resources);
    f.put(name + "_unchanged_resources_sent", d.unchanged);
    log.printf(
        "%s%s %s (groups %s): %d/%d affected proxies ACKed, p50 %.1f ms, p99 %.1f ms, max %.1f ms;"
            + " %d proxies received %d resources (%d unchanged)%s%n",
        tag,
        name,
        change,
        groups.size() <= 5 ? groups : groups.size() + " groups",
        latency.length,
        affected.size(),
        f.asMap().get(name + "_p50_ms"),
        f.asMap().get(name + "_p99_ms"),
        f.asMap().get(name + "_max_ms"),
        d.nodesReceived,
        d.resources,
        d.unchanged,
        done ? "" : " (stopped at the " + limits.change() + " limit)");
  }

  private void restart(Fleet fleet, Figures f) throws IOException, InterruptedException {
    List<SimNode> all = fleet.nodes();
    SimNode.Stats[] pre = stats(fleet);
    long tKill = System.nanoTime();
    target.kill();
    target.start();
    long up = System.nanoTime() - tKill;
    boolean done =
        await(
            limits.restart(),
            () ->
                all.stream()
                    .map(SimNode::stats)
                    .allMatch(s -> s.streamAlive() && s.streamReadyNanos() > tKill));
    awaitQuiet(fleet);
    SimNode.Stats[] post = stats(fleet);
    List<Long> resync = new ArrayList<>();
    for (SimNode.Stats s : post) {
      if (s.streamAlive() && s.streamReadyNanos() > tKill) {
        long end = Math.max(s.streamReadyNanos(), s.lastAnsweredNanos());
        resync.add(end - tKill);
      }
    }
    long[] latency = resync.stream().mapToLong(Long::longValue).toArray();
    Delta d = delta(pre, post);
    f.put("restart_server_up_ms", Figures.ms(up));
    f.put("restart_resynced_nodes", latency.length);
    f.putLatencies("restart_resync", latency);
    long lastResync = Arrays.stream(latency).max().orElse(up);
    f.put("restart_resync_after_up_ms", Figures.ms(Math.max(0, lastResync - up)));
    f.put("restart_nodes_received_anything", d.nodesReceived);
    f.put("restart_resources_resent", d.resources);
    f.put("restart_unchanged_resources_resent", d.unchanged);
    log.printf(
        "%srestart: server listening again after %.0f ms; %d/%d proxies resynced, all by %.0f ms"
            + " after the kill; %d resources re-sent, %d of them unchanged%s%n",
        tag,
        Figures.ms(up),
        latency.length,
        all.size(),
        f.asMap().get("restart_resync_max_ms"),
        d.resources,
        d.unchanged,
        done ? "" : " (stopped at the " + limits.restart() + " limit)");
  }

  /** The service with a route change target and the most proxies. */
  private String routeTarget(Mesh m) {
    Map<String, Integer> count = groupSizes();
    return m.services().values().stream()
        .filter(s -> Change.routable(s, m))
        .max(
            Comparator.<ServiceDef>comparingInt(s -> count.getOrDefault(s.name(), 0))
                .thenComparing(ServiceDef::name, Comparator.reverseOrder()))
        .orElseThrow(() -> new IllegalStateException("no service with an HTTP dependency"))
        .name();
  }

  /** The service whose endpoints most proxies hold (callers' sidecars and edge proxies). */
  private String endpointTarget(Mesh m) {
    Map<String, Integer> count = groupSizes();
    Map<String, Integer> holders = new HashMap<>();
    for (ServiceDef s : m.services().values()) {
      if (s.endpoints().staticEndpoints().isEmpty()) {
        continue;
      }
      int n = 0;
      for (ServiceDef caller : m.callersOf(s.name())) {
        n += caller.sidecar() ? count.getOrDefault(caller.name(), 0) : 0;
      }
      if (s.edge().isPresent()) {
        n += count.getOrDefault(s.edge().get().gateway(), 0);
      }
      holders.put(s.name(), n);
    }
    return holders.entrySet().stream()
        .max(
            Map.Entry.<String, Integer>comparingByValue()
                .thenComparing(Map.Entry.comparingByKey(Comparator.reverseOrder())))
        .orElseThrow()
        .getKey();
  }

  private Map<String, Integer> groupSizes() {
    Map<String, Integer> count = new HashMap<>();
    nodes.forEach(n -> count.merge(n.group(), 1, Integer::sum));
    return count;
  }

  /** The groups whose config a change alters, by the baseline's rendering of the brief's scheme. */
  static Set<String> changedGroups(Mesh before, Mesh after) {
    SortedMap<String, Snapshot> a = BaselineConfig.snapshots(before);
    SortedMap<String, Snapshot> b = BaselineConfig.snapshots(after);
    Set<String> out = new TreeSet<>();
    b.forEach(
        (group, snap) -> {
          Snapshot old = a.get(group);
          for (Resources.ResourceType t : Resources.ResourceType.values()) {
            if (old == null || !Objects.equals(old.version(t), snap.version(t))) {
              out.add(group);
            }
          }
        });
    return out;
  }

  private record Delta(int nodesReceived, long resources, long unchanged) {}

  private static Delta delta(SimNode.Stats[] pre, SimNode.Stats[] post) {
    int received = 0;
    long resources = 0;
    long unchanged = 0;
    for (int i = 0; i < pre.length; i++) {
      if (post[i].responses() > pre[i].responses()) {
        received++;
      }
      resources += post[i].resources() - pre[i].resources();
      unchanged += post[i].unchangedResources() - pre[i].unchangedResources();
    }
    return new Delta(received, resources, unchanged);
  }

  private static SimNode.Stats[] stats(Fleet fleet) {
    return fleet.nodes().stream().map(SimNode::stats).toArray(SimNode.Stats[]::new);
  }

  /** Polls {@code condition} every 20 ms until it holds or {@code limit} passes. */
  static boolean await(Duration limit, java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(20);
    }
    return true;
  }

  /** Waits until no node received a response or lost a stream for the quiet period (bounded). */
  private void awaitQuiet(Fleet fleet) throws InterruptedException {
    long quiet = limits.quiet().toNanos();
    await(limits.change(), () -> System.nanoTime() - fleet.lastActivityNanos() >= quiet);
  }
}
