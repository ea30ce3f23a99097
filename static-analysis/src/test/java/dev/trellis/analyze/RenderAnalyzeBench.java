package dev.trellis.analyze;

import dev.trellis.model.Dependency;
import dev.trellis.model.Endpoints;
import dev.trellis.model.HostPort;
import dev.trellis.model.Mesh;
import dev.trellis.model.MeshConfig;
import dev.trellis.model.Protocol;
import dev.trellis.model.Provenance;
import dev.trellis.model.ServiceDef;
import dev.trellis.render.MeshRenderer;
import dev.trellis.render.RenderedMesh;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Prints how long the real renderer and the analyzer take for a synthetic mesh of N services with
 * sidecars (every fifth speaks gRPC), each calling D others and running E static instances. A
 * benchmark, not a test: {@code java -cp ... dev.trellis.analyze.RenderAnalyzeBench [services]
 * [deps] [instances] [rounds]}.
 */
public final class RenderAnalyzeBench {

  private RenderAnalyzeBench() {}

  public static void main(String[] args) {
    int services = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
    int deps = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    int instances = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
    Mesh mesh = mesh(services, deps, instances);
    MeshRenderer renderer = new MeshRenderer();
    Analyzer analyzer = Analyzer.standard();
    var cpu = ManagementFactory.getThreadMXBean();
    var os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    for (int round = 1; round <= rounds; round++) {
      long t0 = System.nanoTime();
      long p0 = os.getProcessCpuTime();
      RenderedMesh rendered = renderer.render(mesh);
      long t1 = System.nanoTime();
      long p1 = os.getProcessCpuTime();
      long c1 = cpu.getCurrentThreadCpuTime();
      AnalysisResult result = analyzer.analyze(mesh, rendered);
      long t2 = System.nanoTime();
      long p2 = os.getProcessCpuTime();
      long c2 = cpu.getCurrentThreadCpuTime();
      long resources =
          rendered.groups().values().stream().mapToLong(g -> g.resources().size()).sum();
      System.out.printf(
          Locale.ROOT,
          "round %d: %d services, %d groups, %d resources; render %d ms wall (%d ms JVM CPU);"
              + " analyze %d ms wall (%d ms thread CPU, %d ms JVM CPU); total %d ms wall;"
              + " %d findings%n",
          round,
          services,
          rendered.groups().size(),
          resources,
          (t1 - t0) / 1_000_000,
          (p1 - p0) / 1_000_000,
          (t2 - t1) / 1_000_000,
          (c2 - c1) / 1_000_000,
          (p2 - p1) / 1_000_000,
          (t2 - t0) / 1_000_000,
          result.findings().size());
    }
  }

  static Mesh mesh(int services, int deps, int instances) {
    SortedMap<String, ServiceDef> byName = new TreeMap<>();
    for (int s = 0; s < services; s++) {
      String name = "svc-" + s;
      List<Dependency> dependencies = new ArrayList<>();
      for (int d = 1; d <= deps && d < services; d++) {
        dependencies.add(
            new Dependency("svc-" + ((s + d) % services), Optional.of(Duration.ofSeconds(2)), 1));
      }
      List<HostPort> hosts = new ArrayList<>();
      for (int i = 0; i < instances; i++) {
        hosts.add(new HostPort("10." + (s / 250) + "." + (s % 250) + "." + (i + 1), 8080));
      }
      byName.put(
          name,
          new ServiceDef(
              name,
              "team-" + (s % 50),
              s % 5 == 0 ? Protocol.GRPC : Protocol.HTTP,
              8080,
              true,
              Optional.empty(),
              new Endpoints(hosts, Optional.empty()),
              dependencies,
              Optional.empty(),
              new Provenance("services/" + name + ".yaml", Map.of())));
    }
    return new Mesh(MeshConfig.defaults(), byName, new TreeMap<>());
  }
}
