package dev.trellis.analyze;

import com.google.protobuf.util.JsonFormat.TypeRegistry;
import dev.trellis.model.Mesh;
import dev.trellis.model.SourceLocation;
import dev.trellis.render.ProxyGroup;
import dev.trellis.render.RenderedGroup;
import dev.trellis.render.RenderedMesh;
import dev.trellis.render.RenderedResource;
import dev.trellis.render.ResourceType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Prints how long analysis takes for a synthetic mesh of N sidecar groups, each calling D others
 * with E endpoints per dependency (shaped like the brief's rendered naming). A benchmark, not a
 * test: run with {@code mvn -pl static-analysis -am test-compile} and then {@code java -cp ...
 * dev.trellis.analyze.AnalyzeBench [services] [deps] [endpoints] [rounds]}.
 */
public final class AnalyzeBench {

  private AnalyzeBench() {}

  public static void main(String[] args) {
    int services = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
    int deps = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    int endpoints = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 5;
    Mesh mesh = Fixtures.mesh();
    RenderedMesh rendered = synthetic(mesh, services, deps, endpoints);
    long resources = rendered.groups().values().stream().mapToLong(g -> g.resources().size()).sum();
    TypeRegistry types = Fixtures.types();
    System.out.printf(
        Locale.ROOT,
        "mesh: %d sidecar groups, %d dependencies each, %d endpoints per dependency, %d resources%n",
        services,
        deps,
        endpoints,
        resources);
    Analyzer analyzer = new Analyzer(RuleRegistry.standard(), types);
    var threads = java.lang.management.ManagementFactory.getThreadMXBean();
    var os =
        (com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    for (int round = 1; round <= rounds; round++) {
      long start = System.nanoTime();
      long cpu = threads.getCurrentThreadCpuTime();
      long process = os.getProcessCpuTime();
      AnalysisResult result = analyzer.analyze(mesh, rendered);
      long ms = (System.nanoTime() - start) / 1_000_000;
      long cpuMs = (threads.getCurrentThreadCpuTime() - cpu) / 1_000_000;
      long processMs = (os.getProcessCpuTime() - process) / 1_000_000;
      System.out.printf(
          Locale.ROOT,
          "round %d: analyze %d ms wall, %d ms CPU on this thread, %d ms CPU in the JVM (JIT, GC"
              + " included); %.1f us CPU per resource; %d findings%n",
          round,
          ms,
          cpuMs,
          processMs,
          cpuMs * 1000.0 / resources,
          result.findings().size());
    }
    for (int round = 1; round <= rounds; round++) {
      long start = System.nanoTime();
      long findings = 0;
      for (RenderedGroup g : rendered.groups().values()) {
        findings += analyzer.analyzeGroup(mesh, g, Suppressions.none()).findings().size();
      }
      long ms = (System.nanoTime() - start) / 1_000_000;
      System.out.printf(
          Locale.ROOT,
          "round %d: group by group on one thread %d ms, %d findings%n",
          round,
          ms,
          findings);
      start = System.nanoTime();
      findings =
          rendered.groups().values().parallelStream()
              .mapToLong(g -> analyzer.analyzeGroup(mesh, g, Suppressions.none()).findings().size())
              .sum();
      ms = (System.nanoTime() - start) / 1_000_000;
      System.out.printf(
          Locale.ROOT,
          "round %d: groups in parallel (%d threads) %d ms, %d findings%n",
          round,
          java.util.concurrent.ForkJoinPool.getCommonPoolParallelism() + 1,
          ms,
          findings);
    }
    long start = System.nanoTime();
    RenderedGroup one = rendered.groups().values().iterator().next();
    int reps = 1000;
    for (int i = 0; i < reps; i++) {
      analyzer.analyzeGroup(mesh, one, Suppressions.none());
    }
    System.out.printf(
        Locale.ROOT,
        "one group re-analyzed alone: %.0f us%n",
        (System.nanoTime() - start) / 1000.0 / reps);
  }

  static RenderedMesh synthetic(Mesh mesh, int services, int deps, int endpoints) {
    SortedMap<String, RenderedGroup> groups = new TreeMap<>();
    for (int s = 0; s < services; s++) {
      String name = "svc-" + s;
      SourceLocation def = new SourceLocation("services/" + name + ".yaml", 1, 1);
      List<RenderedResource> rs = new ArrayList<>();
      rs.add(
          Fixtures.resource(
              ResourceType.LISTENER,
              "inbound",
              Fixtures.httpListener(
                  "inbound", "0.0.0.0", 15006, Fixtures.rdsHcm("inbound", "inbound")),
              def));
      rs.add(
          Fixtures.resource(
              ResourceType.ROUTE,
              "inbound",
              Fixtures.routes("inbound", Fixtures.vhost(name, List.of("*"), "local_app")),
              def));
      rs.add(
          Fixtures.resource(
              ResourceType.CLUSTER,
              "local_app",
              Fixtures.staticCluster("local_app", "127.0.0.1", 8080),
              def));
      rs.add(
          Fixtures.resource(
              ResourceType.LISTENER,
              "outbound",
              Fixtures.httpListener(
                  "outbound", "127.0.0.1", 15001, Fixtures.rdsHcm("outbound", "outbound")),
              def));
      List<io.envoyproxy.envoy.config.route.v3.VirtualHost> hosts = new ArrayList<>();
      for (int d = 1; d <= deps; d++) {
        String dep = "svc-" + ((s + d) % services);
        hosts.add(Fixtures.vhost(dep, List.of(dep, dep + ":8080"), dep));
        rs.add(Fixtures.resource(ResourceType.CLUSTER, dep, Fixtures.edsCluster(dep), def));
        String[] eps = new String[endpoints];
        for (int e = 0; e < endpoints; e++) {
          eps[e] = "10." + (s % 250) + "." + d + "." + (e + 1) + ":15006";
        }
        rs.add(Fixtures.resource(ResourceType.ENDPOINT, dep, Fixtures.assignment(dep, eps), def));
      }
      rs.add(
          Fixtures.resource(
              ResourceType.ROUTE,
              "outbound",
              Fixtures.routes(
                  "outbound",
                  hosts.toArray(io.envoyproxy.envoy.config.route.v3.VirtualHost[]::new)),
              def));
      groups.put(name, new RenderedGroup(ProxyGroup.sidecar(name), rs));
    }
    return new RenderedMesh(mesh, groups);
  }
}
