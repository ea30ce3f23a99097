package dev.trellis.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.model.DefinitionTree;
import dev.trellis.model.Mesh;
import dev.trellis.model.load.DefinitionLoader;
import dev.trellis.model.load.LoadResult;
import dev.trellis.render.DiscoveredEndpoints;
import dev.trellis.render.MeshRenderer;
import dev.trellis.render.RenderException;
import dev.trellis.render.RenderedMesh;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** An analysis that reuses the previous one's group findings finds exactly what a full one does. */
class IncrementalAnalysisTest {

  private static final List<String> SAMPLES =
      List.of(
          "mesh",
          "broken-lint/edge-unprotected",
          "broken-lint/strict-too-early",
          "broken-lint/port-collision",
          "broken-lint/dependency-cycle",
          "broken-lint/edge-without-timeout",
          "broken-lint/plaintext-template",
          "broken-lint/bad-suppressions",
          // Group checks find something here (TRL214 per dependency cluster, TRL210 at the edge):
          // what reused group findings could get wrong.
          "broken-lint/template-output-invalid",
          "broken-lint/template-output-invalid",
          "broken-lint/edge-route-conflict");

  private static final Analyzer ANALYZER = Analyzer.standard();

  /** Textual edits of definition files: a pattern, and a replacement for a random match. */
  private record Edit(Pattern pattern, java.util.function.BiFunction<Matcher, Random, String> to) {}

  private static final List<Edit> EDITS =
      List.of(
          new Edit(
              Pattern.compile("timeout: \\d+m?s"),
              (m, r) -> "timeout: " + (1 + r.nextInt(40)) * 50 + "ms"),
          new Edit(
              Pattern.compile("sidecar: (true|false)"), (m, r) -> "sidecar: " + r.nextBoolean()),
          new Edit(
              Pattern.compile("mtls: (disable|permissive|strict)"),
              (m, r) -> "mtls: " + List.of("disable", "permissive", "strict").get(r.nextInt(3))),
          new Edit(
              Pattern.compile("authz: (audit|enforce)"),
              (m, r) -> "authz: " + (r.nextBoolean() ? "audit" : "enforce")),
          new Edit(Pattern.compile("retries: \\d+"), (m, r) -> "retries: " + r.nextInt(4)),
          new Edit(
              Pattern.compile("\"10\\.(\\d+)\\.(\\d+)\\.(\\d+):"),
              (m, r) -> "\"10." + m.group(1) + "." + m.group(2) + "." + r.nextInt(250) + ":"),
          // Drops one dependency, with its nested lines.
          new Edit(Pattern.compile("\n  - name: [a-z-]+\n(    [^\n]*\n)*"), (m, r) -> "\n"),
          new Edit(Pattern.compile("\\Aname: "), (m, r) -> "# moved down a line\nname: "),
          new Edit(
              Pattern.compile("\n(  - name: )"),
              (m, r) ->
                  "\n  # trellis:ignore TRL305 TRL201 TRL302 reason=\"test\"\n" + m.group(1)));

  @Property(tries = 40)
  void incrementalAnalysisEqualsFullAnalysisAfterRandomEdits(@ForAll long seed) {
    Random r = new Random(seed);
    DefinitionTree tree =
        DefinitionTree.fromDirectory(
            Path.of("..", "samples", SAMPLES.get(r.nextInt(SAMPLES.size()))));
    MeshRenderer renderer = new MeshRenderer();
    Mesh mesh = load(tree);
    Assume.that(mesh != null);
    RenderedMesh rendered = render(renderer, mesh, null);
    Assume.that(rendered != null);
    Analyzer.Incremental previous =
        ANALYZER.analyze(
            mesh, rendered, Suppressions.scan(tree, ANALYZER.registry()), GroupFindings.NONE);
    for (int step = 0; step < 3; step++) {
      DefinitionTree edited = edit(tree, r);
      Mesh next = load(edited);
      if (next == null) {
        continue;
      }
      RenderedMesh nextRendered = render(renderer, next, rendered);
      if (nextRendered == null) {
        continue;
      }
      Suppressions suppressions = Suppressions.scan(edited, ANALYZER.registry());
      Analyzer.Incremental incremental =
          ANALYZER.analyze(next, nextRendered, suppressions, previous.groups());
      AnalysisResult full =
          Analyzer.standard().analyze(next, new MeshRenderer().render(next), suppressions);
      assertThat(incremental.result()).isEqualTo(full);
      assertThat(incremental.groups().analyzed() + incremental.groups().reused())
          .isEqualTo(nextRendered.groups().size());
      tree = edited;
      rendered = nextRendered;
      previous = incremental;
    }
  }

  @Test
  void aOneServiceEditAnalyzesOnlyTheGroupsRenderedAgain() {
    DefinitionTree tree = DefinitionTree.fromDirectory(Path.of("..", "samples", "mesh"));
    MeshRenderer renderer = new MeshRenderer();
    Mesh mesh = load(tree);
    RenderedMesh rendered = renderer.render(mesh);
    Analyzer.Incremental first =
        ANALYZER.analyze(mesh, rendered, Suppressions.none(), GroupFindings.NONE);
    SortedMap<String, String> files = new TreeMap<>(tree.files());
    files.put(
        "services/cart.yaml",
        files.get("services/cart.yaml").replace("timeout: 200ms", "timeout: 250ms"));
    Mesh edited = load(new DefinitionTree(files));
    RenderedMesh again = renderer.render(edited, DiscoveredEndpoints.NONE, rendered);

    Analyzer.Incremental second =
        ANALYZER.analyze(edited, again, Suppressions.none(), first.groups());

    assertThat(first.groups().analyzed()).isEqualTo(rendered.groups().size());
    // cart also calls gRPC services: its proxyless group renders the dependency too.
    assertThat(again.state().rendered()).containsExactly("cart", "grpc:cart");
    assertThat(second.groups().analyzed()).isEqualTo(2);
    assertThat(second.groups().reused()).isEqualTo(again.groups().size() - 2);
    assertThat(second.result()).isEqualTo(ANALYZER.analyze(edited, again, Suppressions.none()));
  }

  private static DefinitionTree edit(DefinitionTree tree, Random r) {
    List<String> files = new ArrayList<>(tree.files().keySet());
    files.removeIf(f -> !f.endsWith(".yaml"));
    String file = files.get(r.nextInt(files.size()));
    String text = tree.files().get(file);
    Edit edit = EDITS.get(r.nextInt(EDITS.size()));
    Matcher m = edit.pattern().matcher(text);
    List<int[]> matches = new ArrayList<>();
    List<String> replacements = new ArrayList<>();
    while (m.find()) {
      matches.add(new int[] {m.start(), m.end()});
      replacements.add(edit.to().apply(m, r));
    }
    if (matches.isEmpty()) {
      return tree;
    }
    int pick = r.nextInt(matches.size());
    int[] at = matches.get(pick);
    SortedMap<String, String> out = new TreeMap<>(tree.files());
    out.put(file, text.substring(0, at[0]) + replacements.get(pick) + text.substring(at[1]));
    return new DefinitionTree(out);
  }

  private static Mesh load(DefinitionTree tree) {
    LoadResult loaded = DefinitionLoader.load(tree);
    return loaded.ok() ? loaded.orElseThrow() : null;
  }

  private static RenderedMesh render(MeshRenderer renderer, Mesh mesh, RenderedMesh previous) {
    try {
      return previous == null
          ? renderer.render(mesh)
          : renderer.render(mesh, DiscoveredEndpoints.NONE, previous);
    } catch (RenderException e) {
      return null;
    }
  }
}
