package dev.trellis.bench.lint;

import dev.trellis.analyze.AnalysisResult;
import dev.trellis.analyze.Level;
import dev.trellis.analyze.Suppressions;
import dev.trellis.analyze.lint.Linter;
import dev.trellis.bench.mesh.MeshGenerator;
import dev.trellis.bench.mesh.MeshParams;
import dev.trellis.bench.scenario.Figures;
import dev.trellis.model.DefinitionTree;
import dev.trellis.model.Mesh;
import dev.trellis.model.load.DefinitionLoader;
import dev.trellis.render.MeshRenderer;
import dev.trellis.render.RenderedMesh;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Prints how long {@code trellis lint} takes on a generated definitions repo (default 1,000
 * services): in-process (read, load, render, analyze; the first run cold, then warm runs, then the
 * phases of one more run) and as users run it, the CLI in a JVM of its own, start-up included (see
 * {@link LintScenario}). A benchmark, not a test: {@code bench/lint.sh [services] [rounds]}.
 *
 * <p>{@code --in-process DIR ROUNDS} measures only the in-process part, on an existing repo, and
 * ends with one {@code figure NAME VALUE} line per figure: how {@link LintScenario} runs it in a
 * fresh JVM.
 */
public final class LintBench {

  /** Prefix of the machine-readable lines of {@code --in-process}. */
  static final String FIGURE = "figure ";

  private LintBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 3 && args[0].equals("--in-process")) {
      Figures f = inProcess(Path.of(args[1]), Integer.parseInt(args[2]), System.out);
      f.asMap().forEach((name, value) -> System.out.println(FIGURE + name + " " + value));
      return;
    }
    int services = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Path defs = Files.createTempDirectory("trellis-lint-bench");
    Mesh mesh = MeshGenerator.generate(new MeshParams(services, 4, 1));
    Figures f = LintScenario.run(mesh, defs, rounds, System.out);
    System.out.println();
    f.asMap()
        .forEach((name, value) -> System.out.printf(Locale.ROOT, "%-32s %10.0f%n", name, value));
  }

  /**
   * Lints {@code defs} once cold and {@code rounds} times warm in this JVM, then once more phase by
   * phase, printing each run; returns the figures.
   */
  static Figures inProcess(Path defs, int rounds, PrintStream log) {
    var os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    log.printf(
        Locale.ROOT,
        "lint in-process: %s, %d cores, max heap %d MiB%n",
        defs,
        Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20);
    Figures f = new Figures();
    Linter linter = Linter.standard();
    List<Long> warm = new ArrayList<>();
    for (int round = 0; round <= rounds; round++) {
      long t0 = System.nanoTime();
      long c0 = os.getProcessCpuTime();
      AnalysisResult result = linter.lint(DefinitionTree.fromDirectory(defs));
      long wall = ms(System.nanoTime() - t0);
      long cpu = ms(os.getProcessCpuTime() - c0);
      log.printf(
          Locale.ROOT,
          "in-process %s: %d ms wall, %d ms CPU; %d errors, %d warnings, %d info%n",
          round == 0 ? "cold" : "warm " + round,
          wall,
          cpu,
          result.count(Level.ERROR),
          result.count(Level.WARNING),
          result.count(Level.INFO));
      if (round == 0) {
        f.put("lint_inprocess_cold_ms", wall);
        f.put("lint_inprocess_cold_cpu_ms", cpu);
        f.put("lint_errors", result.count(Level.ERROR));
        f.put("lint_warnings", result.count(Level.WARNING));
      } else {
        warm.add(wall);
      }
    }
    if (!warm.isEmpty()) {
      f.put("lint_inprocess_warm_median_ms", median(warm));
    }
    phases(defs, linter, os, f, log);
    return f;
  }

  /** One more run, phase by phase, as {@link Linter#lint} runs them. */
  private static void phases(
      Path defs,
      Linter linter,
      com.sun.management.OperatingSystemMXBean os,
      Figures f,
      PrintStream log) {
    long[] cpu = new long[5];
    long[] wall = new long[5];
    cpu[0] = os.getProcessCpuTime();
    wall[0] = System.nanoTime();
    DefinitionTree tree = DefinitionTree.fromDirectory(defs);
    cpu[1] = os.getProcessCpuTime();
    wall[1] = System.nanoTime();
    Suppressions suppressions = Suppressions.scan(tree, linter.analyzer().registry());
    Mesh mesh = DefinitionLoader.load(tree).orElseThrow();
    cpu[2] = os.getProcessCpuTime();
    wall[2] = System.nanoTime();
    RenderedMesh rendered = new MeshRenderer().render(mesh);
    cpu[3] = os.getProcessCpuTime();
    wall[3] = System.nanoTime();
    linter.analyzer().analyze(mesh, rendered, suppressions);
    cpu[4] = os.getProcessCpuTime();
    wall[4] = System.nanoTime();
    String[] names = {"read", "load", "render", "analyze"};
    StringBuilder line = new StringBuilder("phases (wall/CPU ms):");
    for (int i = 0; i < names.length; i++) {
      long w = ms(wall[i + 1] - wall[i]);
      line.append(' ')
          .append(names[i])
          .append(' ')
          .append(w)
          .append('/')
          .append(ms(cpu[i + 1] - cpu[i]));
      f.put("lint_phase_" + names[i] + "_ms", w);
    }
    long resources = rendered.groups().values().stream().mapToLong(g -> g.resources().size()).sum();
    log.printf(
        Locale.ROOT, "%s; %d groups, %d resources%n", line, rendered.groups().size(), resources);
    f.put("lint_services", mesh.services().size());
    f.put("lint_groups", rendered.groups().size());
    f.put("lint_resources", resources);
  }

  private static long ms(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }

  static long median(List<Long> values) {
    List<Long> sorted = values.stream().sorted().toList();
    return sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2);
  }
}
