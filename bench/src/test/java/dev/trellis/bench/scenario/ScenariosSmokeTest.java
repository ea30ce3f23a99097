package dev.trellis.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.bench.baseline.GroupConfigs;
import dev.trellis.bench.baseline.RenderedConfigs;
import dev.trellis.bench.fleet.Fleet;
import dev.trellis.bench.fleet.NodeSpec;
import dev.trellis.bench.fleet.XdsMode;
import dev.trellis.bench.mesh.MeshGenerator;
import dev.trellis.bench.mesh.MeshParams;
import dev.trellis.model.Mesh;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The four scenarios end to end, 20 proxies against the baseline server in its own JVM. */
class ScenariosSmokeTest {

  @Test
  void measuresEveryScenarioAgainstTheBaselineAndWritesTheReport(@TempDir Path out)
      throws Exception {
    MeshParams params = new MeshParams(10, 2, 9);
    Mesh mesh = MeshGenerator.generate(params);
    // Trellis' renderer, as in a real run: the generated mesh must render, and the fleet must take
    // it.
    GroupConfigs configs = new RenderedConfigs();
    List<NodeSpec> plan = FleetPlan.nodes(configs.groups(mesh), 20, 9);
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    Target baseline =
        new BaselineTarget(
            configs,
            mesh,
            out.resolve("bundles"),
            List.of("-Xmx256m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"),
            out.resolve("logs/baseline.log"));

    Figures f =
        new Scenarios(
                baseline,
                configs,
                mesh,
                plan,
                Fleet.Options.of(XdsMode.SOTW).withChannels(4),
                Scenarios.Limits.of(plan.size()),
                1,
                new PrintStream(log, true, StandardCharsets.UTF_8))
            .runAll();

    Map<String, Double> m = f.asMap();
    assertThat(m.get("connect_ready_nodes")).isEqualTo(20);
    assertThat(m.get("connect_all_acked_ms")).isPositive();
    assertThat(m.get("heap_after_mib")).isPositive();
    assertThat(m.get("route_change_affected_nodes")).isPositive();
    assertThat(m.get("route_change_acked_nodes")).isEqualTo(m.get("route_change_affected_nodes"));
    assertThat(m.get("route_change_nodes_received_anything"))
        .isEqualTo(m.get("route_change_affected_nodes"));
    assertThat(m.get("endpoint_change_affected_nodes")).isPositive();
    assertThat(m.get("endpoint_change_acked_nodes"))
        .isEqualTo(m.get("endpoint_change_affected_nodes"));
    assertThat(m.get("restart_resynced_nodes")).isEqualTo(20);
    // Nothing changed across the restart: whatever the baseline re-sent was already held.
    assertThat(m.get("restart_resources_resent")).isPositive();
    assertThat(m.get("restart_unchanged_resources_resent"))
        .isEqualTo(m.get("restart_resources_resent"));
    assertThat(log.toString(StandardCharsets.UTF_8))
        .contains("[baseline/sotw] connect: 20/20 proxies ACKed a full config in ");

    Report report = new Report(Map.of("mode", "smoke"));
    report.add("baseline", "sotw", f);
    report.write(out);
    assertThat(Files.readString(out.resolve("report.md")))
        .contains("## sotw\n\n| figure | baseline |\n|---|---:|\n| connect_nodes | 20 |\n");
    assertThat(Files.readString(out.resolve("figures.json")))
        .contains("\"connect_ready_nodes\" : 20.0");
  }
}
