package dev.trellis.bench.scenario;

import dev.trellis.bench.baseline.GroupConfigs;
import dev.trellis.bench.fleet.Fleet;
import dev.trellis.bench.fleet.NodeSpec;
import dev.trellis.bench.fleet.SimNode;
import dev.trellis.bench.mesh.Change;
import dev.trellis.model.Mesh;
import dev.trellis.model.ServiceDef;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The server-only scenarios, run in order against one target with one fleet: (1) connect every
 * proxy, (2) change one group's routes, (3) change one service's endpoints, (4) kill and restart
 * the server. Every wait is bounded; a scenario that times out reports how far it got. Server CPU
 * time per scenario comes from the OS, so it holds up better than wall time on a busy machine.
 */
public final class Scenarios {

  /** Bounds of every wait, and how long the fleet must be silent to count as settled. */
  public record Limits(Duration connect, Duration change, Duration restart, Duration quiet) {
    /**
     * Generous bounds, reached only when something is wrong: a shared 2-core machine under load has
     * been seen to need 20 s just to start a server JVM.
     */
    public static Limits of(int nodes) {
      Duration scale = Duration.ofMillis(Math.max(120_000, nodes * 30L));
      return new Limits(
          scale, Duration.ofSeconds(120), scale.plusSeconds(120), Duration.ofMillis(750));
    }
  }

  private final Target target;
  private final GroupConfigs configs;
  private final Mesh mesh;
  private final List<NodeSpec> nodes;
  private final Fleet.Options options;
  private final Limits limits;
  private final PrintStream log;
  private final int repeats;
  private final String tag;

  public Scenarios(
      Target target,
      GroupConfigs configs,
      Mesh mesh,
      List<NodeSpec> nodes,
      Fleet.Options options,
      Limits limits,
      int repeats,
      PrintStream log) {
    this.target = target;
    this.configs = configs;
    this.mesh = mesh;
    this.nodes = List.copyOf(nodes);
    this.options = options;
    this.limits = limits;
    this.log = log;
    this.repeats = repeats;
    this.tag = "[" + target.name() + "/" + options.mode().name().toLowerCase() + "] ";
  }

  /** Starts the target, runs the four scenarios with one fleet, and stops everything. */
  public Figures runAll() throws IOException, InterruptedException {
    Figures f = new Figures();
    target.start();
    try {
      long heapBefore = Heap.usedAfterGc(target.pid());
      long fleetHeapBefore = ownHeapAfterGc();
      try (Fleet fleet = new Fleet(target.xdsPort(), nodes, options)) {
        connect(fleet, f);
        f.put(
            "fleet_heap_per_proxy_kib",
            (ownHeapAfterGc() - fleetHeapBefore) / 1024.0 / nodes.size());
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

        Mesh current = mesh;
        current =
            changes(fleet, "route_change", Change.Kind.ROUTE, routeTarget(current), current, f);
        changes(
            fleet, "endpoint_change", Change.Kind.ENDPOINTS, endpointTarget(current), current, f);
        restart(fleet, f);
      }
    } finally {
      target.close();
    }
    return f;
  }

  private void connect(Fleet fleet, Figures f) throws InterruptedException {
    long cpu0 = serverCpuNanos();
    long fleetCpu0 = fleetCpuNanos();
    long t0 = System.nanoTime();
    fleet.start();
    List<SimNode> all = fleet.nodes();
    boolean done = await(limits.connect(), () -> all.stream().allMatch(SimNode::ready));
    awaitQuiet(fleet);
    SimNode.Stats[] s = stats(fleet);
    // Latencies of the proxies that got a full config only: a missing one is counted apart.
    List<Long> ready = new ArrayList<>();
    long last = t0;
    long responses = 0;
    long resources = 0;
    for (SimNode.Stats n : s) {
      responses += n.responses();
      resources += n.resources();
      if (n.firstReadyNanos() != 0) {
        ready.add(n.firstReadyNanos() - n.firstStreamNanos());
        last = Math.max(last, n.firstReadyNanos());
      }
    }
    long[] latency = ready.stream().mapToLong(Long::longValue).toArray();
    f.put("connect_nodes", s.length);
    f.put("connect_ready_nodes", latency.length);
    f.put("connect_all_acked_ms", done ? Figures.ms(last - t0) : Double.NaN);
    f.putLatencies("connect_node", latency);
    f.put("connect_responses", responses);
    f.put("connect_resources", resources);
    f.put("connect_server_cpu_ms", Figures.ms(serverCpuNanos() - cpu0));
    f.put("connect_fleet_cpu_ms", Figures.ms(fleetCpuNanos() - fleetCpu0));
    log.printf(
        "%sconnect: %d/%d proxies ACKed a full config%s; server used %.0f ms of CPU%n",
        tag,
        latency.length,
        s.length,
        done
            ? " in " + Figures.ms(last - t0) + " ms"
            : " before the " + limits.connect() + " limit",
        f.asMap().get("connect_server_cpu_ms"));
  }

  /** One measured change: who had to hear of it, when each ACKed, what was sent. */
  private record ChangeRun(int affected, long[] latencies, Delta sent, double serverCpuMs) {}

  /**
   * Makes {@code repeats} + 1 changes of one kind to one service, one at a time, the first only to
   * warm the server up; the figures pool the measured ones (counts are per change).
   */
  private Mesh changes(
      Fleet fleet, String name, Change.Kind kind, String service, Mesh current, Figures f)
      throws IOException, InterruptedException {
    List<ChangeRun> runs = new ArrayList<>();
    for (int step = 1; step <= repeats + 1; step++) {
      Change change = new Change(kind, service, step);
      ChangeRun run = changeOnce(fleet, name, change, current);
      current = change.applyTo(current);
      if (step > 1) {
        runs.add(run);
      }
    }
    int n = runs.size();
    long[] latency = runs.stream().flatMapToLong(r -> Arrays.stream(r.latencies())).toArray();
    f.put(name + "_affected_nodes", runs.get(0).affected());
    f.put(name + "_acked_nodes", runs.stream().mapToInt(r -> r.latencies().length).min().orElse(0));
    f.putLatencies(name, latency);
    f.put(
        name + "_nodes_received_anything",
        runs.stream().mapToInt(r -> r.sent().nodesReceived()).sum() / (double) n);
    f.put(
        name + "_resources_sent",
        runs.stream().mapToLong(r -> r.sent().resources()).sum() / (double) n);
    f.put(
        name + "_unchanged_resources_sent",
        runs.stream().mapToLong(r -> r.sent().unchanged()).sum() / (double) n);
    f.put(name + "_server_cpu_ms", runs.stream().mapToDouble(ChangeRun::serverCpuMs).sum() / n);
    return current;
  }

  private ChangeRun changeOnce(Fleet fleet, String name, Change change, Mesh before)
      throws IOException, InterruptedException {
    Set<String> groups = changedGroups(configs, change, before);
    List<SimNode> all = fleet.nodes();
    SimNode.Stats[] pre = stats(fleet);
    List<Integer> affected = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      if (groups.contains(all.get(i).spec().group())) {
        affected.add(i);
      }
    }
    target.prepare(change);
    long cpu0 = serverCpuNanos();
    long t0 = System.nanoTime();
    String answer = target.apply(change);
    Predicate<Integer> acked =
        i -> {
          SimNode.Stats s = all.get(i).stats();
          return s.lastChangeAckNanos() > t0 && s.changedResources() > pre[i].changedResources();
        };
    boolean done = await(limits.change(), () -> affected.stream().allMatch(acked));
    awaitQuiet(fleet);
    double cpu = Figures.ms(serverCpuNanos() - cpu0);
    SimNode.Stats[] post = stats(fleet);
    long[] latency =
        affected.stream()
            .filter(i -> post[i].lastChangeAckNanos() > t0)
            .mapToLong(i -> post[i].lastChangeAckNanos() - t0)
            .sorted()
            .toArray();
    Delta d = delta(pre, post);
    log.printf(
        "%s%s %s (%s; server: %s): %d/%d affected proxies ACKed, p50 %.1f ms, max %.1f ms;"
            + " %d proxies received %d resources (%d unchanged)%s%n",
        tag,
        name,
        change,
        groups.size() <= 3 ? "groups " + groups : groups.size() + " groups",
        answer,
        latency.length,
        affected.size(),
        Figures.ms(Figures.percentile(latency, 50)),
        Figures.ms(latency.length == 0 ? 0 : latency[latency.length - 1]),
        d.nodesReceived,
        d.resources,
        d.unchanged,
        done ? "" : " (stopped at the " + limits.change() + " limit)");
    return new ChangeRun(affected.size(), latency, d, cpu);
  }

  private void restart(Fleet fleet, Figures f) throws IOException, InterruptedException {
    List<SimNode> all = fleet.nodes();
    SimNode.Stats[] pre = stats(fleet);
    long tKill = System.nanoTime();
    target.kill();
    target.start();
    long up = target.listeningNanos() - tKill;
    long ready = target.readyNanos() - tKill;
    long fleetCpu0 = fleetCpuNanos();
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
    f.put("restart_server_listening_ms", Figures.ms(up));
    f.put("restart_server_ready_ms", Figures.ms(ready));
    f.put("restart_resynced_nodes", latency.length);
    f.putLatencies("restart_resync", latency);
    long lastResync = Arrays.stream(latency).max().orElse(up);
    f.put("restart_resync_after_listening_ms", Figures.ms(Math.max(0, lastResync - up)));
    f.put("restart_nodes_received_anything", d.nodesReceived);
    f.put("restart_resources_resent", d.resources);
    f.put("restart_unchanged_resources_resent", d.unchanged);
    // The new server's whole life so far: startup and the resync.
    f.put("restart_server_cpu_ms", Figures.ms(serverCpuNanos()));
    f.put("restart_fleet_cpu_ms", Figures.ms(fleetCpuNanos() - fleetCpu0));
    log.printf(
        "%srestart: server listening again after %.0f ms, ready after %.0f ms; %d/%d proxies"
            + " resynced, all by %.0f ms after the kill; %d resources re-sent, %d of them"
            + " unchanged%s%n",
        tag,
        Figures.ms(up),
        Figures.ms(ready),
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

  /** The groups whose config {@code change} alters, as {@code configs} builds them. */
  static Set<String> changedGroups(GroupConfigs configs, Change change, Mesh before) {
    return GroupConfigs.changed(
        configs.snapshotsDependingOn(before, change.service()),
        configs.snapshotsDependingOn(change.applyTo(before), change.service()));
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

  private long serverCpuNanos() {
    return ProcessHandle.of(target.pid())
        .flatMap(h -> h.info().totalCpuDuration())
        .map(Duration::toNanos)
        .orElse(0L);
  }

  /** This JVM's (the fleet's) heap in use after a full GC: the simulator's own footprint. */
  private static long ownHeapAfterGc() {
    System.gc();
    return java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static long fleetCpuNanos() {
    return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
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

  /**
   * Waits until no node received a response or lost a stream for the quiet period, counted from now
   * at the earliest, and the server used under a fifth of a core over the last such period: a
   * server still busy with a backlog (a cold one after a restart) must not pass for done.
   */
  private void awaitQuiet(Fleet fleet) throws InterruptedException {
    long quiet = limits.quiet().toNanos();
    long from = System.nanoTime();
    long[] window = {from, serverCpuNanos()};
    boolean[] idle = {false};
    await(
        limits.change(),
        () -> {
          long now = System.nanoTime();
          if (now - window[0] >= quiet) {
            long cpu = serverCpuNanos();
            idle[0] = cpu - window[1] < (now - window[0]) / 5;
            window[0] = now;
            window[1] = cpu;
          }
          return idle[0] && now - Math.max(from, fleet.lastActivityNanos()) >= quiet;
        });
  }
}
