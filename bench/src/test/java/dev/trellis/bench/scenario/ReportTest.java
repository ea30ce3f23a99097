package dev.trellis.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {

  @Test
  void standaloneScenarioGetsItsOwnTableAndJsonEntry(@TempDir Path dir) throws Exception {
    Report report = new Report(Map.of("cores", 2));
    Figures lint = new Figures();
    lint.put("lint_cli_median_ms", 4732);
    lint.put("lint_phase_render_ms", 384.5);
    report.addStandalone("6 lint (100 services)", lint);

    report.write(dir);

    assertThat(report.markdown())
        .contains(
            "## 6 lint (100 services)\n\n| figure | value |\n|---|---:|\n"
                + "| lint_cli_median_ms | 4732 |\n| lint_phase_render_ms | 384.50 |\n")
        .doesNotContain("Times in ms");
    JsonNode json = new ObjectMapper().readTree(dir.resolve("figures.json").toFile());
    assertThat(json.at("/standalone/6 lint (100 services)/lint_cli_median_ms").asDouble())
        .isEqualTo(4732);
  }
}
