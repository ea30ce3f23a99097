package dev.trellis.render;

import dev.trellis.model.Mesh;
import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * Prints render timings for a large synthetic mesh (not a test: speed targets are checked by
 * reading its figures). Run: {@code mvn -pl templates test-compile exec:java
 * -Dexec.mainClass=dev.trellis.render.RenderBenchmark -Dexec.classpathScope=test}
 */
public final class RenderBenchmark {

  private RenderBenchmark() {}

  /** {@code services} services, each calling 3 others; every 4th speaks gRPC, every 10th TCP. */
  static Mesh syntheticMesh(int services) {
    MeshFixture f = MeshFixture.mesh().gateway("public", 8443, 8080);
    for (int i = 0; i < services; i++) {
      int n = i;
      f.service(
          name(n),
          s -> {
            if (n % 10 == 9) {
              s.tcp(5432);
            } else if (n % 4 == 0) {
              s.grpc(9090);
            } else {
              s.http(8080);
            }
            s.sidecar(n % 7 != 0);
            for (int k = 0; k < 3; k++) {
              s.instance("10." + (n / 250) + "." + (n % 250) + "." + (k + 1), 8080, "zone-" + k);
            }
            for (int d = 1; d <= 3; d++) {
              s.dependsOn(name((n + d * 17) % services), Duration.ofMillis(500L * d), d - 1);
            }
            if (n % 50 == 1) {
              s.expose("public", java.util.List.of(name(n) + ".example.com"), java.util.List.of());
            }
          });
    }
    return f.build();
  }

  private static String name(int i) {
    return String.format("svc-%05d", i);
  }

  private static long gcMillis() {
    return ManagementFactory.getGarbageCollectorMXBeans().stream()
        .mapToLong(b -> Math.max(0, b.getCollectionTime()))
        .sum();
  }

  public static void main(String[] args) {
    int services = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
    Mesh mesh = syntheticMesh(services);
    MeshRenderer renderer = new MeshRenderer();
    var os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    var threads = ManagementFactory.getThreadMXBean();
    for (int round = 1; round <= 5; round++) {
      long t0 = System.nanoTime();
      long c0 = os.getProcessCpuTime();
      long g0 = gcMillis();
      RenderedMesh rendered = renderer.render(mesh);
      long t1 = System.nanoTime();
      long c1 = os.getProcessCpuTime();
      long g1 = gcMillis();
      int resources = rendered.groups().values().stream().mapToInt(g -> g.resources().size()).sum();
      System.out.printf(
          "full render %d: %d groups, %d resources in %d ms wall, %d ms CPU (all threads), GC %d"
              + " ms%n",
          round,
          rendered.groups().size(),
          resources,
          (t1 - t0) / 1_000_000,
          (c1 - c0) / 1_000_000,
          g1 - g0);
    }
    ProxyGroup one = ProxyGroup.sidecar(name(1));
    for (int round = 1; round <= 5; round++) {
      long c0 = threads.getCurrentThreadCpuTime();
      renderer.renderGroup(mesh, one, DiscoveredEndpoints.NONE);
      long c1 = threads.getCurrentThreadCpuTime();
      renderer.renderEndpoints(mesh, one, DiscoveredEndpoints.NONE);
      long c2 = threads.getCurrentThreadCpuTime();
      System.out.printf(
          "one group (CPU): full %.2f ms, endpoints only %.2f ms%n",
          (c1 - c0) / 1e6, (c2 - c1) / 1e6);
    }
  }
}
