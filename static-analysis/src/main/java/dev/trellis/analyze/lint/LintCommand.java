package dev.trellis.analyze.lint;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trellis.analyze.AnalysisResult;
import dev.trellis.analyze.Analyzer;
import dev.trellis.analyze.Baseline;
import dev.trellis.analyze.Finding;
import dev.trellis.analyze.Json;
import dev.trellis.analyze.Level;
import dev.trellis.analyze.Rule;
import dev.trellis.analyze.RuleRegistry;
import dev.trellis.analyze.SuppressedFinding;
import dev.trellis.analyze.Suppression;
import dev.trellis.analyze.envoy.EnvoyValidateCheck;
import dev.trellis.analyze.report.ReportFormat;
import dev.trellis.analyze.report.TextReporter;
import dev.trellis.analyze.rollout.AuditObservations;
import dev.trellis.model.DefinitionTree;
import dev.trellis.model.SourceLocation;
import dev.trellis.render.MeshRenderer;
import dev.trellis.render.RenderLimits;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code trellis lint}: the CI gate. Loads, renders and analyzes a definitions repo and reports the
 * findings in one format; the exit status says whether any finding that counts is at or above the
 * threshold.
 */
@Command(
    name = "lint",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Check a definitions repo with every Trellis rule: the definitions load, the templates render"
          + " valid Envoy config, and the mesh policy holds.",
      "Exit status: 0 no finding at or above --fail-on (suppressed and baselined findings do not"
          + " count), 1 findings at or above it, 2 usage or internal error."
    })
public final class LintCommand implements Callable<Integer> {

  /** Findings at or above the threshold; the same as {@code TrellisCli.EXIT_INVALID}. */
  public static final int EXIT_FINDINGS = 1;

  /** Usage or internal error; the same as {@code TrellisCli.EXIT_USAGE}. */
  public static final int EXIT_USAGE = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--defs",
      paramLabel = "DIR",
      description = "Definitions repo: mesh.yaml, services/, templates/")
  Path defs;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "text",
      description = "text, json, sarif, junit or github (default: ${DEFAULT-VALUE})")
  String format;

  @Option(
      names = "--fail-on",
      paramLabel = "LEVEL",
      defaultValue = "error",
      description =
          "Fail on findings of this level or worse: error or warning (default: ${DEFAULT-VALUE})")
  String failOn;

  @Option(
      names = "--baseline",
      paramLabel = "FILE",
      description = "Findings listed in this baseline do not count (only new findings fail)")
  Path baseline;

  @Option(
      names = "--write-baseline",
      paramLabel = "FILE",
      description =
          "Write every finding that counts now to FILE as the new baseline, then report with it")
  Path writeBaseline;

  @Option(
      names = "--audit",
      paramLabel = "FILE",
      description =
          "JSON of would-be denials seen while services audited: {\"service\": {\"spiffe://...\":"
              + " N}}; TRL405 then refuses enforce at services that saw callers they do not allow")
  Path audit;

  @Option(
      names = "--envoy",
      paramLabel = "PATH",
      description =
          "An Envoy binary: also run `envoy --mode validate` on each sidecar and edge group's"
              + " config, assembled into a static bootstrap (TRL215)")
  Path envoy;

  @Option(
      names = "--envoy-timeout",
      paramLabel = "DURATION",
      defaultValue = "60s",
      converter = RenderLimitOptions.TimeoutConverter.class,
      description = "How long one envoy --mode validate may take (default: ${DEFAULT-VALUE})")
  Duration envoyTimeout;

  @Option(
      names = "--list-rules",
      description = "Print every rule (id, name, level, description, documentation) and exit")
  boolean listRules;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description = "Write the report to FILE instead of standard output")
  Path output;

  @Option(
      names = "--path-prefix",
      paramLabel = "PREFIX",
      description =
          "Prefix every file path in the report, e.g. the definitions directory relative to the"
              + " repository root, so that code scanning and annotations find the files")
  String pathPrefix;

  @CommandLine.Mixin RenderLimitOptions renderLimits = new RenderLimitOptions();

  private final Function<RenderLimits, Linter> linters;

  public LintCommand() {
    this.linters = limits -> new Linter(Analyzer.standard(), new MeshRenderer(limits));
  }

  /** A command with its own linter, e.g. with other rules (it keeps its own render limits). */
  LintCommand(Supplier<Linter> linters) {
    this.linters = limits -> linters.get();
  }

  @Override
  public Integer call() {
    ReportFormat reportFormat = reportFormat();
    Level threshold = threshold();
    RenderLimits limits = renderLimits.limits();
    Linter linter =
        audit == null && envoy == null ? linters.apply(limits) : configuredLinter(limits);
    if (listRules) {
      if (reportFormat != ReportFormat.TEXT && reportFormat != ReportFormat.JSON) {
        throw usage("--list-rules prints text or json, not " + reportFormat.id());
      }
      print(listRules(linter.analyzer().registry(), reportFormat));
      return 0;
    }
    if (defs == null) {
      throw usage("--defs DIR is required (or --list-rules)");
    }
    if (!Files.isDirectory(defs)) {
      throw usage("--defs: " + defs + " is not a directory");
    }
    Baseline accepted = baseline == null ? null : readBaseline(baseline);
    DefinitionTree tree;
    try {
      tree = DefinitionTree.fromDirectory(defs);
    } catch (UncheckedIOException e) {
      return fail("cannot read " + defs + ": " + e.getCause().getMessage());
    }

    try {
      return lint(linter, tree, accepted, reportFormat, threshold);
    } catch (UncheckedIOException e) {
      return fail(e.getMessage() + ": " + e.getCause().getMessage());
    }
  }

  /** The standard linter with the audit observations and the Envoy binary given. */
  private Linter configuredLinter(RenderLimits limits) {
    Optional<AuditObservations> observed = Optional.empty();
    if (audit != null) {
      try {
        observed = Optional.of(AuditObservations.read(audit));
      } catch (IOException e) {
        throw usage("--audit: " + e.getMessage());
      }
    }
    Optional<EnvoyValidateCheck.EnvoyBinary> binary = Optional.empty();
    if (envoy != null) {
      if (!Files.isRegularFile(envoy) || !Files.isExecutable(envoy)) {
        throw usage("--envoy: " + envoy + " is not an executable file");
      }
      binary = Optional.of(new EnvoyValidateCheck.EnvoyBinary(envoy, envoyTimeout));
    }
    return new Linter(Analyzer.standard(observed, binary), new MeshRenderer(limits));
  }

  private int lint(
      Linter linter,
      DefinitionTree tree,
      Baseline accepted,
      ReportFormat reportFormat,
      Level threshold) {
    AnalysisResult result = linter.lint(tree);
    if (writeBaseline != null) {
      Baseline written = Baseline.of(result);
      write(writeBaseline, written.toJson());
      err()
          .println(
              "trellis lint: wrote " + written.size() + " findings to baseline " + writeBaseline);
      result = written.apply(result, writeBaseline.getFileName().toString());
    } else if (accepted != null) {
      result = accepted.apply(result, baseline.getFileName().toString());
    }
    if (pathPrefix != null) {
      result = withPathPrefix(result, pathPrefix);
    }

    String report = reportFormat.reporter(linter.analyzer().registry(), threshold).render(result);
    if (output != null) {
      write(output, report);
      err().println("trellis lint: " + counts(result) + " (report in " + output + ")");
    } else {
      print(report);
    }
    boolean fails = result.findings().stream().anyMatch(f -> f.level().compareTo(threshold) <= 0);
    return fails ? EXIT_FINDINGS : 0;
  }

  private ReportFormat reportFormat() {
    try {
      return ReportFormat.valueOf(format.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw usage(
          "--format: expected one of "
              + Arrays.stream(ReportFormat.values())
                  .map(ReportFormat::id)
                  .collect(Collectors.joining(", "))
              + "; got '"
              + format
              + "'");
    }
  }

  private Level threshold() {
    return switch (failOn.toLowerCase(Locale.ROOT)) {
      case "error" -> Level.ERROR;
      case "warning" -> Level.WARNING;
      default -> throw usage("--fail-on: expected error or warning; got '" + failOn + "'");
    };
  }

  private Baseline readBaseline(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw usage("--baseline: " + file + " does not exist");
    } catch (IOException e) {
      throw usage("--baseline: cannot read " + file + ": " + e.getMessage());
    }
    try {
      return Baseline.parse(text);
    } catch (IllegalArgumentException e) {
      throw usage("--baseline: " + file + ": " + e.getMessage());
    }
  }

  /** Every rule in id order: a heading line, then the documentation wrapped and indented. */
  static String listRules(RuleRegistry registry, ReportFormat format) {
    if (format == ReportFormat.JSON) {
      ObjectNode root = Json.mapper().createObjectNode();
      ArrayNode rules = root.putArray("rules");
      for (Rule r : registry.rules()) {
        ObjectNode n = rules.addObject();
        n.put("id", r.id());
        n.put("name", r.name());
        n.put("level", r.level().label());
        n.put("category", r.category().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        n.put("description", r.description());
        n.put("doc", r.doc());
      }
      return Json.pretty(root);
    }
    StringBuilder out = new StringBuilder();
    for (Rule r : registry.rules()) {
      out.append(r.id())
          .append(' ')
          .append(r.name())
          .append(" (")
          .append(r.level().label())
          .append("): ")
          .append(r.description())
          .append('\n');
      wrap(r.doc(), 96).forEach(line -> out.append("    ").append(line).append('\n'));
      out.append('\n');
    }
    return out.toString();
  }

  private static List<String> wrap(String text, int width) {
    List<String> lines = new java.util.ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (String word : text.split("\\s+")) {
      if (line.length() > 0 && line.length() + 1 + word.length() > width) {
        lines.add(line.toString());
        line.setLength(0);
      }
      if (line.length() > 0) {
        line.append(' ');
      }
      line.append(word);
    }
    if (line.length() > 0) {
      lines.add(line.toString());
    }
    return lines;
  }

  /** The result with {@code prefix} in front of every file path. */
  static AnalysisResult withPathPrefix(AnalysisResult result, String prefix) {
    String p = prefix.replace('\\', '/');
    while (p.startsWith("./")) {
      p = p.substring(2);
    }
    if (p.equals(".")) {
      p = "";
    }
    if (!p.isEmpty() && !p.endsWith("/")) {
      p += "/";
    }
    if (p.isEmpty()) {
      return result;
    }
    String dir = p;
    List<Finding> findings = result.findings().stream().map(f -> prefixed(f, dir)).toList();
    List<SuppressedFinding> suppressed =
        result.suppressed().stream()
            .map(
                s ->
                    new SuppressedFinding(
                        prefixed(s.finding(), dir),
                        new Suppression(
                            s.suppression().kind(),
                            s.suppression().reason(),
                            s.suppression().at().map(at -> prefixed(at, dir)))))
            .toList();
    return new AnalysisResult(findings, suppressed);
  }

  private static Finding prefixed(Finding f, String dir) {
    return new Finding(
        f.ruleId(), f.level(), f.message(), prefixed(f.location(), dir), f.group(), f.resource());
  }

  private static SourceLocation prefixed(SourceLocation at, String dir) {
    return new SourceLocation(dir + at.file(), at.line(), at.column());
  }

  /** The count line of the text report, e.g. {@code 1 error, 2 warnings, 0 info, 0 suppressed}. */
  private static String counts(AnalysisResult r) {
    String text = new TextReporter().render(r);
    String[] lines = text.split("\n");
    return lines[lines.length - 1];
  }

  private void write(Path file, String text) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private void print(String text) {
    PrintWriter out = spec.commandLine().getOut();
    out.print(text);
    out.flush();
  }

  private PrintWriter err() {
    return spec.commandLine().getErr();
  }

  private int fail(String message) {
    err().println("trellis lint: " + message);
    return EXIT_USAGE;
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }
}
