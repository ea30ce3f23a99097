package dev.trellis.cli;

import dev.trellis.analyze.lint.RenderLimitOptions;
import dev.trellis.model.DefinitionTree;
import dev.trellis.model.Mesh;
import dev.trellis.model.load.DefinitionLoader;
import dev.trellis.model.load.LoadResult;
import dev.trellis.render.ConfigPrinter;
import dev.trellis.render.MeshRenderer;
import dev.trellis.render.ProxyGroup;
import dev.trellis.render.Redaction;
import dev.trellis.render.RenderException;
import dev.trellis.render.RenderedMesh;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code trellis render}: prints the Envoy config Trellis would serve to one proxy group, or all.
 */
@Command(
    name = "render",
    mixinStandardHelpOptions = true,
    description = {
      "Print the rendered Envoy config of one proxy group (or all), grouped by resource type.",
      "A group is a service's sidecars (NAME), an edge gateway (NAME) or a proxyless gRPC app"
          + " acting as a service (grpc:NAME)."
    })
final class RenderCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--defs",
      required = true,
      paramLabel = "DIR",
      description = "Definitions repo: mesh.yaml, services/, templates/")
  Path defs;

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  Selection selection = new Selection();

  static final class Selection {
    @Option(names = "--proxy", paramLabel = "NAME", description = "One proxy group")
    String proxy;

    @Option(names = "--all", description = "Every proxy group (the default)")
    boolean all;
  }

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "yaml",
      description = "yaml or json (default: ${DEFAULT-VALUE})")
  String format;

  @Option(
      names = "--show-secrets",
      description =
          "print sensitive fields (private keys, passwords, session ticket keys, generic secrets)"
              + " as they are; by default they show as [redacted], as in Envoy's config dump")
  boolean showSecrets;

  @CommandLine.Mixin RenderLimitOptions renderLimits = new RenderLimitOptions();

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ConfigPrinter.Format printFormat;
    try {
      printFormat = ConfigPrinter.Format.valueOf(format.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--format: expected yaml or json, got '" + format + "'");
    }
    if (!Files.isDirectory(defs)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--defs: " + defs + " is not a directory");
    }
    LoadResult loaded = DefinitionLoader.load(DefinitionTree.fromDirectory(defs));
    if (!loaded.ok()) {
      loaded.errors().forEach(err::println);
      return TrellisCli.EXIT_INVALID;
    }
    Mesh mesh = loaded.orElseThrow();
    RenderedMesh rendered;
    try {
      rendered = new MeshRenderer(renderLimits.limits()).render(mesh);
    } catch (RenderException e) {
      e.errors().forEach(err::println);
      return TrellisCli.EXIT_INVALID;
    }
    if (selection.proxy == null) {
      out.print(
          ConfigPrinter.print(showSecrets ? rendered : Redaction.redact(rendered), printFormat));
      return 0;
    }
    var group = rendered.groups().get(selection.proxy);
    if (group == null) {
      err.println(
          "trellis: no proxy group '"
              + selection.proxy
              + "' in "
              + defs
              + " (groups: "
              + String.join(", ", MeshRenderer.groups(mesh).stream().map(ProxyGroup::id).toList())
              + ")");
      return TrellisCli.EXIT_INVALID;
    }
    out.print(ConfigPrinter.print(showSecrets ? group : Redaction.redact(group), printFormat));
    return 0;
  }
}
