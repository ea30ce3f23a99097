package dev.trellis.bench.lint;

import dev.trellis.analyze.AnalysisResult;
import dev.trellis.analyze.Level;
import dev.trellis.analyze.Suppressions;
import dev.trellis.analyze.lint.Linter;
import dev.trellis.bench.mesh.DefinitionsWriter;
import dev.trellis.bench.mesh.MeshGenerator;
import dev.trellis.bench.mesh.MeshParams;
import dev.trellis.model.DefinitionTree;
import dev.trellis.model.Mesh;
import dev.trellis.model.load.DefinitionLoader;
import dev.trellis.render.MeshRenderer;
import dev.trellis.render.RenderedMesh;
import java.io.IOException;
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
 * phases of one more run) and as users run it, {@code ./trellis lint} with JVM start-up included
 * (the launcher runs batch commands with the C1 JIT only). A benchmark, not a test: {@code
 * bench/lint.sh [services] [rounds]}.
 */
public final class LintBench {

  private LintBench() {}

  public static void main(String[] args) throws Exception {
    int services = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Path repo = Path.of(args.length > 2 ? args[2] : ".").toAbsolutePath().normalize();
    Path defs = Files.createTempDirectory("trellis-lint-bench");
    Mesh mesh = MeshGenerator.generate(new MeshParams(services, 4, 1));
    DefinitionsWriter.write(mesh, defs);
    System.out.printf(
        Locale.ROOT,
        "lint bench: %d services under %s, %d cores, max heap %d MiB%n",
        mesh.services().size(),
        defs,
        Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20);

    var os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    Linter linter = Linter.standard();
    List<Long> warm = new ArrayList<>();
    for (int round = 0; round <= rounds; round++) {
      long t0 = System.nanoTime();
      long c0 = os.getProcessCpuTime();
      AnalysisResult result = linter.lint(DefinitionTree.fromDirectory(defs));
      long wall = ms(System.nanoTime() - t0);
      long cpu = ms(os.getProcessCpuTime() - c0);
      System.out.printf(
          Locale.ROOT,
          "in-process %s: %d ms wall, %d ms CPU; %d errors, %d warnings, %d info%n",
          round == 0 ? "cold" : "warm " + round,
          wall,
          cpu,
          result.count(Level.ERROR),
          result.count(Level.WARNING),
          result.count(Level.INFO));
      if (round > 0) {
        warm.add(wall);
      }
    }
    System.out.printf(Locale.ROOT, "in-process warm median: %d ms%n", median(warm));
    phases(defs, linter, os);

    Path launcher = repo.resolve("trellis");
    if (!Files.isExecutable(launcher)) {
      System.out.println("no ./trellis launcher under " + repo + "; skipping the CLI figures");
      return;
    }
    // The launcher builds Trellis when its sources changed; do that outside the measurement.
    run(launcher, "--version");
    List<Long> cli = new ArrayList<>();
    for (int round = 1; round <= rounds; round++) {
      long t0 = System.nanoTime();
      int exit = run(launcher, "lint", "--defs", defs.toString(), "--format", "json");
      long wall = ms(System.nanoTime() - t0);
      cli.add(wall);
      System.out.printf(
          Locale.ROOT,
          "./trellis lint (JVM included) %d: %d ms wall, exit %d%n",
          round,
          wall,
          exit);
    }
    System.out.printf(Locale.ROOT, "./trellis lint median: %d ms%n", median(cli));
  }

  /** One more warm run, phase by phase, as {@link Linter#lint} runs them. */
  private static void phases(
      Path defs, Linter linter, com.sun.management.OperatingSystemMXBean os) {
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
      line.append(' ')
          .append(names[i])
          .append(' ')
          .append(ms(wall[i + 1] - wall[i]))
          .append('/')
          .append(ms(cpu[i + 1] - cpu[i]));
    }
    long resources = rendered.groups().values().stream().mapToLong(g -> g.resources().size()).sum();
    System.out.printf(
        Locale.ROOT, "%s; %d groups, %d resources%n", line, rendered.groups().size(), resources);
  }

  private static int run(Path launcher, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(launcher.toString()));
    cmd.addAll(List.of(args));
    Process p =
        new ProcessBuilder(cmd)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException("timed out: " + cmd);
    }
    return p.exitValue();
  }

  private static long ms(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }

  private static long median(List<Long> values) {
    List<Long> sorted = values.stream().sorted().toList();
    return sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2);
  }
}
