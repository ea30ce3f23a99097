package dev.trellis.cli;

import dev.trellis.analyze.rollout.AuditObservations;
import dev.trellis.analyze.rollout.MtlsRollout;
import dev.trellis.analyze.rollout.RolloutPlan;
import dev.trellis.analyze.rollout.RolloutTable;
import dev.trellis.model.DefinitionTree;
import dev.trellis.model.Mesh;
import dev.trellis.model.load.DefinitionLoader;
import dev.trellis.model.load.LoadResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code trellis rollout}: where the mesh stands in the mTLS rollout, and what to do next. */
@Command(
    name = "rollout",
    mixinStandardHelpOptions = true,
    // --defs is required here and in plan; picocli would ask for a required parent option before
    // "plan" too, so it is checked in call() and the synopsis says so.
    customSynopsis = "trellis rollout [-hV] --defs=DIR [COMMAND]",
    description = {
      "Print each service's mTLS rollout state: sidecar, mTLS mode served, authorization mode,"
          + " and which callers can already call it over mTLS.",
      "A caller is ready when it has a sidecar, is a proxyless gRPC app calling a gRPC service,"
          + " or is an edge gateway."
    },
    subcommands = {RolloutCommand.Plan.class})
final class RolloutCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--defs",
      paramLabel = "DIR",
      description = "Definitions repo: mesh.yaml, services/, templates/ (required)")
  Path defs;

  @Override
  public Integer call() {
    if (defs == null) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "Missing required option: '--defs=DIR'");
    }
    Optional<Mesh> mesh = load(spec, defs);
    if (mesh.isEmpty()) {
      return TrellisCli.EXIT_INVALID;
    }
    spec.commandLine().getOut().print(RolloutTable.render(MtlsRollout.of(mesh.get())));
    return 0;
  }

  @Command(
      name = "plan",
      mixinStandardHelpOptions = true,
      description = {
        "Print the next safe rollout steps in order: sidecars for callers of services that"
            + " accept mTLS, disable → permissive, permissive → strict where every caller is"
            + " ready, then audit → enforce.",
        "With --audit, enforce waits for services whose audit saw callers they do not allow."
      })
  static final class Plan implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--defs",
        required = true,
        paramLabel = "DIR",
        description = "Definitions repo: mesh.yaml, services/, templates/")
    Path defs;

    @Option(
        names = "--audit",
        paramLabel = "FILE",
        description =
            "JSON of would-be denials seen while auditing: {\"service\": {\"spiffe://...\": N}}")
    Path audit;

    @Override
    public Integer call() {
      Optional<Mesh> mesh = load(spec, defs);
      if (mesh.isEmpty()) {
        return TrellisCli.EXIT_INVALID;
      }
      Optional<AuditObservations> observations = Optional.empty();
      if (audit != null) {
        try {
          observations = Optional.of(AuditObservations.read(audit));
        } catch (IOException e) {
          spec.commandLine().getErr().println("trellis: --audit: " + e.getMessage());
          return TrellisCli.EXIT_INVALID;
        }
      }
      RolloutPlan plan = RolloutPlan.of(mesh.get(), observations);
      spec.commandLine().getOut().print(plan.render(mesh.get().config().name()));
      return 0;
    }
  }

  /** The definitions, or empty after printing their errors. */
  static Optional<Mesh> load(CommandLine.Model.CommandSpec spec, Path defs) {
    if (!Files.isDirectory(defs)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--defs: " + defs + " is not a directory");
    }
    LoadResult loaded = DefinitionLoader.load(DefinitionTree.fromDirectory(defs));
    if (!loaded.ok()) {
      PrintWriter err = spec.commandLine().getErr();
      loaded.errors().forEach(err::println);
      return Optional.empty();
    }
    return Optional.of(loaded.orElseThrow());
  }
}
