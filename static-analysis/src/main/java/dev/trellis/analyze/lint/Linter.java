package dev.trellis.analyze.lint;

import dev.trellis.analyze.AnalysisResult;
import dev.trellis.analyze.Analyzer;
import dev.trellis.analyze.Finding;
import dev.trellis.analyze.PipelineFindings;
import dev.trellis.analyze.Suppressions;
import dev.trellis.model.DefinitionTree;
import dev.trellis.model.Mesh;
import dev.trellis.model.load.DefinitionLoader;
import dev.trellis.model.load.LoadResult;
import dev.trellis.render.MeshRenderer;
import dev.trellis.render.RenderException;
import dev.trellis.render.RenderedMesh;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Loads, renders and analyzes a definitions tree, turning every problem on the way into a finding:
 * definitions that do not load give TRL103 findings only; templates that fail give TRL214 findings
 * and the groups that did render are analyzed all the same. Renders with the definitions' static
 * endpoints only, as CI has no cluster to discover from.
 */
public final class Linter {

  private final Analyzer analyzer;
  private final MeshRenderer renderer;

  public Linter(Analyzer analyzer, MeshRenderer renderer) {
    this.analyzer = analyzer;
    this.renderer = renderer;
  }

  public static Linter standard() {
    return new Linter(Analyzer.standard(), new MeshRenderer());
  }

  public Analyzer analyzer() {
    return analyzer;
  }

  public AnalysisResult lint(DefinitionTree tree) {
    Suppressions suppressions = Suppressions.scan(tree, analyzer.registry());
    LoadResult loaded = DefinitionLoader.load(tree);
    if (!loaded.ok()) {
      List<Finding> findings = new ArrayList<>(suppressions.problems());
      loaded.errors().forEach(e -> findings.add(PipelineFindings.of(e)));
      return suppressions.apply(findings);
    }
    Mesh mesh = loaded.orElseThrow();
    RenderedMesh rendered;
    List<Finding> renderFindings = new ArrayList<>();
    try {
      rendered = renderer.render(mesh);
    } catch (RenderException e) {
      e.errors().forEach(error -> renderFindings.add(PipelineFindings.of(error)));
      // The groups that rendered are analyzed all the same; with templates that do not compile
      // there are none.
      rendered = e.partial().orElse(new RenderedMesh(mesh, new TreeMap<>()));
    }
    return analyzer
        .analyze(mesh, rendered, suppressions)
        .plus(new AnalysisResult(renderFindings, List.of()));
  }
}
