package dev.trellis.analyze.lint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.analyze.AnalysisResult;
import dev.trellis.analyze.Finding;
import dev.trellis.model.DefinitionTree;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The repo's sample mesh, which exercises every feature of the definitions, lints clean. */
class SampleMeshLintTest {

  @Test
  void samplesMeshHasNoFindingsAtAnyLevel() {
    AnalysisResult result =
        Linter.standard().lint(DefinitionTree.fromDirectory(Path.of("..", "samples", "mesh")));
    assertThat(result.findings()).extracting(Finding::message).isEmpty();
    assertThat(result.suppressed()).isEmpty();
  }
}
