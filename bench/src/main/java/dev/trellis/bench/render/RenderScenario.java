package dev.trellis.bench.render;

import dev.trellis.analyze.Analyzer;
import dev.trellis.analyze.GroupFindings;
import dev.trellis.analyze.Suppressions;
import dev.trellis.bench.mesh.Change;
import dev.trellis.bench.mesh.DefinitionsWriter;
import dev.trellis.bench.mesh.MeshGenerator;
import dev.trellis.bench.mesh.MeshParams;
import dev.trellis.bench.scenario.Figures;
import dev.trellis.model.DefinitionTree;
import dev.trellis.model.Mesh;
import dev.trellis.model.ServiceDef;
import dev.trellis.model.load.DefinitionLoader;
import dev.trellis.render.DiscoveredEndpoints;
import dev.trellis.render.MeshRenderer;
import dev.trellis.render.RenderedMesh;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Scenario 5: render + analyze a cold generated mesh (1,000 and 5,000 services by default), then
 * render + analyze again after one-service changes, reusing the previous render and findings as
 * {@code trellis serve} does. In process, no server: figures are wall and process CPU time.
 *
 * <p>Cold: a new renderer (templates compiled) and a full analysis, after warm-up rounds of the
 * same so that the JIT has compiled the renderer; median of the measured rounds. Changes: route
 * changes (one dependency timeout) and endpoint changes (one instance) to services spread over the
 * mesh, each timed from the changed mesh to a finished analysis. Also the time to read and load the
 * definitions from files: afresh, and after one file changed with the loader's cache, as {@code
 * trellis serve} reloads.
 */
public final class RenderScenario {

  private final int rounds;
  private final int changes;
  private final long seed;
  private final PrintStream out;
  private final com.sun.management.OperatingSystemMXBean os =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  /**
   * @param rounds measured cold rounds per size (after one warm-up round)
   * @param changes one-service changes per size, half route and half endpoint changes
   */
  public RenderScenario(int rounds, int changes, long seed, PrintStream out) {
    this.rounds = rounds;
    this.changes = changes;
    this.seed = seed;
    this.out = out;
  }

  public Figures run(List<Integer> sizes) {
    Figures f = new Figures();
    for (int services : sizes) {
      measure(services, f);
    }
    return f;
  }

  private void measure(int services, Figures f) {
    Mesh mesh = MeshGenerator.generate(new MeshParams(services, 4, seed));
    Analyzer analyzer = Analyzer.standard();
    String p = "render_" + services + "_";

    // Cold: a new renderer each round, so templates are compiled and nothing is reused.
    long[] wall = new long[rounds];
    long[] cpu = new long[rounds];
    long[] renderOnly = new long[rounds];
    RenderedMesh full = null;
    Analyzer.Incremental findings = null;
    for (int round = -1; round < rounds; round++) {
      long t0 = System.nanoTime();
      long c0 = os.getProcessCpuTime();
      full = new MeshRenderer().render(mesh);
      long t1 = System.nanoTime();
      findings = analyzer.analyze(mesh, full, Suppressions.none(), GroupFindings.NONE);
      long t2 = System.nanoTime();
      long c2 = os.getProcessCpuTime();
      if (round >= 0) {
        wall[round] = t2 - t0;
        cpu[round] = c2 - c0;
        renderOnly[round] = t1 - t0;
      }
      out.printf(
          Locale.ROOT,
          "render %d services %s: render %d ms + analyze %d ms = %d ms wall, %d ms CPU%n",
          services,
          round < 0 ? "warm-up" : "cold " + (round + 1),
          ms(t1 - t0),
          ms(t2 - t1),
          ms(t2 - t0),
          ms(c2 - c0));
    }
    f.put(p + "groups", full.groups().size());
    f.put(p + "cold_ms", msExact(median(wall)));
    f.put(p + "cold_render_ms", msExact(median(renderOnly)));
    f.put(p + "cold_cpu_ms", msExact(median(cpu)));

    // One-service changes, each against the last render, as trellis serve reloads.
    MeshRenderer renderer = new MeshRenderer();
    RenderedMesh previous = renderer.render(mesh);
    Analyzer.Incremental previousFindings =
        analyzer.analyze(mesh, previous, Suppressions.none(), GroupFindings.NONE);
    List<Change> planned = changes(mesh);
    List<Long> route = new ArrayList<>();
    List<Long> endpoints = new ArrayList<>();
    int maxRendered = 0;
    int maxEndpointsOnly = 0;
    int maxAnalyzed = 0;
    Mesh current = mesh;
    // The first change of each kind warms the incremental path up and is not counted.
    boolean[] warmed = new boolean[2];
    for (Change change : planned) {
      current = change.applyTo(current);
      long t0 = System.nanoTime();
      RenderedMesh next = renderer.render(current, DiscoveredEndpoints.NONE, previous);
      Analyzer.Incremental nextFindings =
          analyzer.analyze(current, next, Suppressions.none(), previousFindings.groups());
      long t = System.nanoTime() - t0;
      int kind = change.kind().ordinal();
      if (warmed[kind]) {
        (change.kind() == Change.Kind.ROUTE ? route : endpoints).add(t);
        maxRendered = Math.max(maxRendered, next.state().rendered().size());
        maxEndpointsOnly = Math.max(maxEndpointsOnly, next.state().endpointsRendered().size());
        maxAnalyzed = Math.max(maxAnalyzed, nextFindings.groups().analyzed());
      }
      warmed[kind] = true;
      out.printf(
          Locale.ROOT,
          "render %d services, change %s: %.1f ms; %s, %d group(s) analyzed%n",
          services,
          change,
          t / 1e6,
          next.state(),
          nextFindings.groups().analyzed());
      previous = next;
      previousFindings = nextFindings;
    }
    putLatencies(f, p + "route_change", route);
    putLatencies(f, p + "endpoint_change", endpoints);
    f.put(p + "change_groups_rendered_max", maxRendered);
    f.put(p + "change_groups_endpoints_only_max", maxEndpointsOnly);
    f.put(p + "change_groups_analyzed_max", maxAnalyzed);

    long[] load = readAndLoad(mesh, planned.get(0));
    f.put(p + "read_load_ms", msExact(load[0]));
    f.put(p + "reread_one_changed_ms", msExact(load[1]));
  }

  /** Changes spread over the mesh: route and endpoint changes in turn, one per service. */
  private List<Change> changes(Mesh mesh) {
    List<ServiceDef> routable =
        mesh.services().values().stream().filter(s -> Change.routable(s, mesh)).toList();
    List<ServiceDef> withEndpoints =
        mesh.services().values().stream()
            .filter(s -> !s.endpoints().staticEndpoints().isEmpty())
            .sorted(Comparator.comparing(ServiceDef::name).reversed())
            .toList();
    List<Change> out = new ArrayList<>();
    int each = Math.max(2, changes / 2);
    for (int i = 0; i < each; i++) {
      out.add(
          new Change(Change.Kind.ROUTE, routable.get(i * routable.size() / each).name(), i + 1));
      out.add(
          new Change(
              Change.Kind.ENDPOINTS,
              withEndpoints.get(i * withEndpoints.size() / each).name(),
              i + 1));
    }
    return out;
  }

  /**
   * Median times to read the definitions from files and load them: afresh, and again after {@code
   * change} rewrote one file, through the cache {@code trellis serve} keeps between reloads.
   */
  private long[] readAndLoad(Mesh mesh, Change change) {
    Path dir;
    try {
      dir = Files.createTempDirectory("trellis-render-bench");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      DefinitionsWriter.write(mesh, dir);
      long[] times = new long[rounds + 1];
      for (int i = 0; i < times.length; i++) {
        long t0 = System.nanoTime();
        DefinitionLoader.load(DefinitionTree.fromDirectory(dir)).orElseThrow();
        times[i] = System.nanoTime() - t0;
      }
      long fresh = median(Arrays.copyOfRange(times, 1, times.length));
      DefinitionLoader.Cache cache = new DefinitionLoader.Cache();
      DefinitionLoader.load(DefinitionTree.fromDirectory(dir), cache).orElseThrow();
      Mesh changed = mesh;
      for (int i = 0; i < times.length; i++) {
        changed = new Change(change.kind(), change.service(), change.step() + i).applyTo(changed);
        DefinitionsWriter.writeService(changed.services().get(change.service()), dir);
        long t0 = System.nanoTime();
        DefinitionLoader.load(DefinitionTree.fromDirectory(dir), cache).orElseThrow();
        times[i] = System.nanoTime() - t0;
      }
      return new long[] {fresh, median(Arrays.copyOfRange(times, 1, times.length))};
    } finally {
      delete(dir);
    }
  }

  private static void delete(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary directory: left for the OS to clean
    }
  }

  private static void putLatencies(Figures f, String prefix, List<Long> nanos) {
    long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
    f.put(prefix + "_p50_ms", msExact(sorted.length == 0 ? 0 : sorted[(sorted.length - 1) / 2]));
    f.put(prefix + "_max_ms", msExact(sorted.length == 0 ? 0 : sorted[sorted.length - 1]));
  }

  private static long median(long[] values) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted.length == 0 ? 0 : sorted[(sorted.length - 1) / 2];
  }

  private static long ms(long nanos) {
    return nanos / 1_000_000;
  }

  private static double msExact(long nanos) {
    return Math.round(nanos / 1e4) / 100.0;
  }

  /** {@code RenderScenario [sizes, e.g. 1000,5000] [rounds] [changes]}: prints the figures. */
  public static void main(String[] args) {
    List<Integer> sizes =
        Arrays.stream((args.length > 0 ? args[0] : "1000,5000").split(","))
            .map(Integer::parseInt)
            .toList();
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    int changes = args.length > 2 ? Integer.parseInt(args[2]) : 12;
    Figures f = new RenderScenario(rounds, changes, 7, System.out).run(sizes);
    f.asMap().forEach((k, v) -> System.out.printf(Locale.ROOT, "  %-48s %10.2f%n", k, v));
  }
}
