package dev.trellis.analyze.diff;

import dev.trellis.analyze.lint.LintCommand;
import dev.trellis.model.DefinitionTree;
import dev.trellis.model.Mesh;
import dev.trellis.model.load.DefinitionLoader;
import dev.trellis.model.load.LoadError;
import dev.trellis.model.load.LoadResult;
import dev.trellis.render.MeshRenderer;
import dev.trellis.render.RenderError;
import dev.trellis.render.RenderException;
import dev.trellis.render.RenderedMesh;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code trellis diff}: the review aid for a change to a definitions repo. Renders the definitions
 * as Git has them at a base revision and as they are in the working tree, and prints per proxy
 * group which Envoy resources are added, removed or changed, field by field.
 */
@Command(
    name = "diff",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Show how the rendered Envoy config of every proxy group changes between a Git revision of"
          + " the definitions and the working tree: resources added (+), removed (-), and each"
          + " changed field (~) as 'type/name field.path: before → after'.",
      "Exit status: 0 diff printed, 1 definitions on either side do not load or render, 2 usage"
          + " or internal error."
    })
public final class DiffCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--defs",
      required = true,
      paramLabel = "DIR",
      description = "Definitions directory, anywhere inside a Git work tree")
  Path defs;

  @Option(
      names = "--base",
      required = true,
      paramLabel = "GIT_REF",
      description = "Revision to compare with: a branch, tag, commit, HEAD~1, origin/main...")
  String base;

  @Override
  public Integer call() throws IOException {
    if (!Files.isDirectory(defs)) {
      throw usage("--defs: " + defs + " is not a directory");
    }
    DefinitionTree before;
    try (GitDefinitions git = GitDefinitions.open(defs)) {
      before = git.at(base);
    } catch (GitDefinitions.GitException e) {
      throw usage("--base: " + e.getMessage());
    }
    DefinitionTree after;
    try {
      after = DefinitionTree.fromDirectory(defs);
    } catch (UncheckedIOException e) {
      err().println("trellis diff: cannot read " + defs + ": " + e.getCause().getMessage());
      return LintCommand.EXIT_USAGE;
    }
    MeshRenderer renderer = new MeshRenderer();
    Optional<RenderedMesh> a = render(before, base, renderer);
    Optional<RenderedMesh> b = render(after, "the working tree", renderer);
    if (a.isEmpty() || b.isEmpty()) {
      return LintCommand.EXIT_FINDINGS;
    }
    PrintWriter out = spec.commandLine().getOut();
    out.print("--- " + base + "\n+++ working tree\n");
    out.print(ConfigDiff.between(a.get(), b.get()).text());
    out.flush();
    return 0;
  }

  /** The rendered mesh, or empty after printing why the definitions do not load or render. */
  private Optional<RenderedMesh> render(DefinitionTree tree, String what, MeshRenderer renderer) {
    LoadResult loaded = DefinitionLoader.load(tree);
    if (!loaded.ok()) {
      err().println("trellis diff: the definitions of " + what + " do not load:");
      loaded.errors().stream().map(LoadError::toString).forEach(err()::println);
      return Optional.empty();
    }
    Mesh mesh = loaded.orElseThrow();
    try {
      return Optional.of(renderer.render(mesh));
    } catch (RenderException e) {
      err().println("trellis diff: the templates of " + what + " do not render:");
      e.errors().stream().map(RenderError::toString).forEach(err()::println);
      return Optional.empty();
    }
  }

  private PrintWriter err() {
    return spec.commandLine().getErr();
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }
}
