package dev.trellis.bench;

import dev.trellis.bench.baseline.GroupConfigs;
import dev.trellis.bench.baseline.RenderedConfigs;
import dev.trellis.bench.baseline.SimpleConfigs;
import dev.trellis.bench.fleet.Fleet;
import dev.trellis.bench.fleet.NodeSpec;
import dev.trellis.bench.fleet.XdsMode;
import dev.trellis.bench.lint.LintScenario;
import dev.trellis.bench.mesh.MeshGenerator;
import dev.trellis.bench.mesh.MeshParams;
import dev.trellis.bench.render.RenderScenario;
import dev.trellis.bench.scenario.BaselineTarget;
import dev.trellis.bench.scenario.Figures;
import dev.trellis.bench.scenario.FleetPlan;
import dev.trellis.bench.scenario.Report;
import dev.trellis.bench.scenario.Scenarios;
import dev.trellis.bench.scenario.Target;
import dev.trellis.bench.scenario.TrellisTarget;
import dev.trellis.model.Mesh;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs the bench scenarios against the baseline and {@code trellis serve}. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Measures xDS servers with a simulated Envoy fleet on loopback.")
public final class BenchMain implements Callable<Integer> {

  @Option(names = "--quick", description = "1,000 proxies, 100 services (default: 10,000, 500)")
  boolean quick;

  @Option(names = "--out", defaultValue = "bench/out", description = "report directory")
  Path out;

  @Option(
      names = "--target",
      split = ",",
      description = "baseline, trellis (default: baseline, and trellis if it has 'serve')")
  List<String> targets;

  @Option(names = "--xds", split = ",", defaultValue = "sotw,delta")
  List<XdsMode> modes;

  @Option(names = "--nodes")
  Integer nodes;

  @Option(names = "--services")
  Integer services;

  @Option(names = "--endpoints")
  Integer endpoints;

  @Option(names = "--channels", description = "connections the fleet spreads its streams over")
  Integer channels;

  @Option(
      names = "--repeats",
      defaultValue = "3",
      description = "measured changes per change scenario (after one warm-up change)")
  int repeats;

  @Option(
      names = "--trellis-debounce-ms",
      description = "passed to trellis serve (default: its own)")
  Long trellisDebounceMs;

  @Option(
      names = "--baseline-config",
      defaultValue = "render",
      description =
          "what the baseline serves: render (Trellis' renderer, the same bytes as Trellis) or"
              + " simple (the bench's own builder)")
  String baselineConfig;

  @Option(names = "--seed", defaultValue = "7")
  long seed;

  @Option(
      names = "--lint-services",
      defaultValue = "1000",
      description = "services of scenario 6's generated repo (default: ${DEFAULT-VALUE})")
  int lintServices;

  @Option(
      names = "--lint-rounds",
      defaultValue = "3",
      description = "scenario 6: warm in-process runs and CLI runs; 0 skips it")
  int lintRounds;

  @Option(names = "--lint-only", description = "run scenario 6 (lint) only, no fleet")
  boolean lintOnly;

  @Option(
      names = "--render-sizes",
      split = ",",
      defaultValue = "1000,5000",
      description =
          "scenario 5: services of the meshes rendered and analyzed in process (none: skip it)")
  List<String> renderSizes;

  @Option(names = "--server-heap", defaultValue = "2g", description = "-Xmx of each server JVM")
  String serverHeap;

  @Override
  public Integer call() throws Exception {
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("mode", lintOnly ? "lint only" : quick ? "quick" : "full");
    header.put("cores", Runtime.getRuntime().availableProcessors());
    header.put("cpu", cpuModel());
    var os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    header.put(
        "memory", String.format(Locale.ROOT, "%.1f GiB", os.getTotalMemorySize() / 1073741824.0));
    header.put(
        "java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    header.put("started", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    Report report = new Report(header);
    if (!lintOnly && !renderSizes.contains("none")) {
      // Before any server runs, so that the in-process figures have the machine to themselves.
      List<Integer> sizes = renderSizes.stream().map(Integer::parseInt).toList();
      report.addStandalone(
          "5 render + analyze, in process (" + renderSizes + " services)",
          new RenderScenario(quick ? 2 : 3, repeats * 4, seed, System.out).run(sizes));
      report.write(out);
    }
    if (!lintOnly) {
      fleetScenarios(header, report);
    }
    if (lintRounds > 0) {
      Mesh lintMesh = MeshGenerator.generate(new MeshParams(lintServices, 4, seed));
      report.addStandalone(
          "6 lint (" + lintServices + " services)",
          LintScenario.run(
              lintMesh, out.resolve("lint-defs").toAbsolutePath(), lintRounds, System.out));
    }
    report.write(out);
    report
        .ratios()
        .forEach(
            (variant, r) -> {
              System.out.println("trellis/baseline (" + variant + "):");
              r.forEach((k, v) -> System.out.printf("  %-45s %8.2f%n", k, v));
            });
    System.out.println("bench: wrote " + out.resolve("report.md") + " and figures.json");
    return 0;
  }

  /** Scenarios 1-4: each target and ADS variant against the simulated fleet. */
  private void fleetScenarios(Map<String, Object> header, Report report) throws Exception {
    int n = nodes != null ? nodes : quick ? 1_000 : 10_000;
    MeshParams params =
        new MeshParams(
            services != null ? services : quick ? 100 : 500,
            endpoints != null ? endpoints : quick ? 4 : 8,
            seed);
    int conns = channels != null ? channels : quick ? 50 : 100;
    Mesh mesh = MeshGenerator.generate(params);
    GroupConfigs configs =
        switch (baselineConfig) {
          case "render" -> new RenderedConfigs();
          case "simple" -> new SimpleConfigs();
          default ->
              throw new CommandLine.ParameterException(
                  new CommandLine(this), "--baseline-config must be render or simple");
        };
    List<NodeSpec> plan = FleetPlan.nodes(configs.groups(mesh), n, seed);
    List<String> jvm =
        List.of("-Xmx" + serverHeap, "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");

    List<String> which = targets;
    if (which == null) {
      which = new ArrayList<>(List.of("baseline"));
      if (TrellisTarget.available()) {
        which.add("trellis");
      } else {
        System.out.println("bench: 'trellis serve' is not there yet: measuring the baseline only");
      }
    }
    header.put("proxies", n);
    header.put("services", params.services());
    header.put("endpoints per service", params.endpoints());
    header.put("proxy groups", configs.groups(mesh).size());
    header.put("baseline config", configs.toString());
    header.put("connections", conns);
    header.put("seed", seed);
    header.put("server JVM", String.join(" ", jvm));
    for (String t : which) {
      for (XdsMode mode : modes) {
        String variant = mode.name().toLowerCase(Locale.ROOT);
        Path logs = out.resolve("logs");
        Target target =
            switch (t) {
              case "baseline" ->
                  new BaselineTarget(
                      configs,
                      mesh,
                      out.resolve("baseline-" + variant).toAbsolutePath(),
                      jvm,
                      logs.resolve("baseline-" + variant + ".log"));
              case "trellis" ->
                  new TrellisTarget(
                      mesh,
                      out.resolve("defs").toAbsolutePath(),
                      jvm,
                      trellisDebounceMs == null
                          ? OptionalLong.empty()
                          : OptionalLong.of(trellisDebounceMs),
                      logs.resolve("trellis-" + variant + ".log"));
              default ->
                  throw new CommandLine.ParameterException(
                      new CommandLine(this), "unknown target '" + t + "'");
            };
        Fleet.Options options = Fleet.Options.of(mode).withChannels(conns);
        Figures f =
            new Scenarios(
                    target,
                    configs,
                    mesh,
                    plan,
                    options,
                    Scenarios.Limits.of(n),
                    repeats,
                    System.out)
                .runAll();
        report.add(t, variant, f);
        report.write(out);
      }
    }
  }

  /** The CPU model as Linux names it, or "unknown". */
  private static String cpuModel() {
    try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
      return lines
          .filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).trim())
          .findFirst()
          .orElse("unknown");
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  public static void main(String[] args) {
    System.exit(
        new CommandLine(new BenchMain()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
  }
}
