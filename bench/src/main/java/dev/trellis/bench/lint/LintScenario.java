package dev.trellis.bench.lint;

import dev.trellis.bench.mesh.DefinitionsWriter;
import dev.trellis.bench.scenario.Figures;
import dev.trellis.cli.TrellisCli;
import dev.trellis.model.Mesh;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Scenario 6: {@code trellis lint} on a generated definitions repo, each way in a JVM of its own so
 * both start cold (the bench's JVM has run Trellis' renderer already):
 *
 * <ul>
 *   <li>in-process: {@link LintBench} {@code --in-process}, the linter called directly, cold then
 *       warm, and phase by phase;
 *   <li>the CLI as users run it: {@code java -XX:TieredStopAtLevel=1 ... TrellisCli lint --defs DIR
 *       --format json} (the JIT setting {@code ./trellis} uses for batch commands), JVM start-up
 *       included, wall time and the child's CPU time.
 * </ul>
 */
public final class LintScenario {

  private static final long TIMEOUT_MINUTES = 10;

  private LintScenario() {}

  /** Writes {@code mesh} as a repo under {@code defs} (emptied first) and measures both ways. */
  public static Figures run(Mesh mesh, Path defs, int rounds, PrintStream log)
      throws IOException, InterruptedException {
    deleteTree(defs);
    DefinitionsWriter.write(mesh, defs);
    log.printf(
        Locale.ROOT, "scenario 6: lint %d services under %s%n", mesh.services().size(), defs);
    Figures f = inProcess(defs, rounds, log);
    cli(defs, rounds, log, f);
    return f;
  }

  private static Figures inProcess(Path defs, int rounds, PrintStream log)
      throws IOException, InterruptedException {
    List<String> cmd = java();
    cmd.addAll(
        List.of(
            LintBench.class.getName(), "--in-process", defs.toString(), Integer.toString(rounds)));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    Figures f = new Figures();
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        if (line.startsWith(LintBench.FIGURE)) {
          String[] parts = line.substring(LintBench.FIGURE.length()).split(" ");
          f.put(parts[0], Double.parseDouble(parts[1]));
        } else {
          log.println("  " + line);
        }
      }
    }
    int exit = finish(p, cmd);
    if (exit != 0) {
      throw new IOException("in-process lint bench exited with " + exit + ": " + cmd);
    }
    return f;
  }

  private static void cli(Path defs, int rounds, PrintStream log, Figures f)
      throws IOException, InterruptedException {
    List<String> cmd = java();
    cmd.add(1, "-XX:TieredStopAtLevel=1");
    cmd.addAll(
        List.of(TrellisCli.class.getName(), "lint", "--defs", defs.toString(), "--format", "json"));
    List<Long> walls = new ArrayList<>();
    List<Long> cpus = new ArrayList<>();
    int exit = 0;
    for (int round = 1; round <= Math.max(1, rounds); round++) {
      long cpu0 = ChildCpu.millis();
      long t0 = System.nanoTime();
      Process p =
          new ProcessBuilder(cmd)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      exit = finish(p, cmd);
      long wall = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      long cpu1 = ChildCpu.millis();
      long cpu = cpu0 < 0 || cpu1 < 0 ? -1 : cpu1 - cpu0;
      walls.add(wall);
      cpus.add(cpu);
      log.printf(
          Locale.ROOT,
          "  trellis lint in its own JVM, round %d: %d ms wall, %d ms CPU, exit %d%n",
          round,
          wall,
          cpu,
          exit);
    }
    f.put("lint_cli_first_ms", walls.get(0));
    f.put("lint_cli_median_ms", LintBench.median(walls));
    if (cpus.stream().allMatch(c -> c >= 0)) {
      f.put("lint_cli_cpu_median_ms", LintBench.median(cpus));
    }
    f.put("lint_cli_exit", exit);
  }

  /** This JVM's java with its class path: the bench measures Trellis as built with it. */
  private static List<String> java() {
    return new ArrayList<>(
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            System.getProperty("java.class.path")));
  }

  private static int finish(Process p, List<String> cmd) throws InterruptedException {
    if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException("timed out after " + TIMEOUT_MINUTES + " min: " + cmd);
    }
    return p.exitValue();
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
