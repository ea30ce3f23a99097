package dev.trellis.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.model.SourceLocation;
import dev.trellis.model.load.LoadError;
import dev.trellis.render.RenderError;
import java.util.List;
import org.junit.jupiter.api.Test;

class PipelineFindingsTest {

  @Test
  void messagesQuotingAnInputAreCappedInEveryReport() {
    String quoted = "x".repeat(5000);
    Finding load =
        PipelineFindings.of(
            new LoadError(new SourceLocation("services/a.yaml", 3, 1), "", "bad: " + quoted));
    Finding render =
        PipelineFindings.of(
            new RenderError("listener.yaml.j2", 7, List.of("web"), "output: `" + quoted + "`"));

    assertThat(load.message())
        .hasSize(1024 + "... (3981 more characters)".length())
        .startsWith("bad: xxx")
        .endsWith("x... (3981 more characters)");
    assertThat(render.message())
        .startsWith("output: `xxx")
        .endsWith("x... (3986 more characters) (group 'web')");
  }

  @Test
  void messagesUpToTheCapAreKept() {
    String message = "m".repeat(1024);
    assertThat(
            PipelineFindings.of(new LoadError(SourceLocation.ofFile("mesh.yaml"), "", message))
                .message())
        .isEqualTo(message);
  }
}
