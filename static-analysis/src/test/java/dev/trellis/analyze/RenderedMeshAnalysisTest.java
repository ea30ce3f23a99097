package dev.trellis.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.model.DefinitionTree;
import dev.trellis.model.HostPort;
import dev.trellis.model.Mesh;
import dev.trellis.model.load.DefinitionLoader;
import dev.trellis.render.MeshRenderer;
import dev.trellis.render.RenderedMesh;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The analysis of what the real loader and renderer make of a definitions repo. */
class RenderedMeshAnalysisTest {

  private final Analyzer analyzer = Analyzer.standard();
  private final MeshRenderer renderer = new MeshRenderer();

  private static DefinitionTree shop() throws URISyntaxException {
    return DefinitionTree.fromDirectory(
        Path.of(RenderedMeshAnalysisTest.class.getResource("/definitions/shop").toURI()));
  }

  private AnalysisResult analyze(DefinitionTree tree, RenderedMesh rendered) {
    return analyzer.analyze(
        rendered.mesh(), rendered, Suppressions.scan(tree, analyzer.registry()));
  }

  @Test
  void defaultTemplatesRenderConfigWithoutFindings() throws Exception {
    DefinitionTree tree = shop();
    Mesh mesh = DefinitionLoader.load(tree).orElseThrow();
    RenderedMesh rendered =
        renderer.render(
            mesh,
            service ->
                service.equals("ledger") ? List.of(new HostPort("10.9.0.1", 9090)) : List.of());
    assertThat(rendered.groups()).containsKeys("storefront", "payments", "grpc:payments", "public");
    assertThat(analyze(tree, rendered).findings())
        .extracting(f -> f.ruleId() + " " + f.location() + " " + f.message())
        .isEmpty();
  }

  @Test
  void kubernetesServiceWithoutDiscoveredEndpointsIsAWarningPerCallerGroup() throws Exception {
    DefinitionTree tree = shop();
    Mesh mesh = DefinitionLoader.load(tree).orElseThrow();
    AnalysisResult result = analyze(tree, renderer.render(mesh));
    assertThat(result.findings())
        .filteredOn(f -> f.ruleId().startsWith("TRL2"))
        .extracting(f -> f.ruleId() + " " + f.location() + " " + f.group().orElseThrow())
        .containsExactly(
            "TRL206 services/payments.yaml:9:5 grpc:payments",
            "TRL206 services/payments.yaml:9:5 payments");
    assertThat(result.hasErrors()).isFalse();
  }

  @Test
  void aBrokenTemplateOverrideIsTracedToTheDefinitionsItWasRenderedFor() throws Exception {
    SortedMap<String, String> files = new TreeMap<>(shop().files());
    String template = defaultTemplate("sidecar/clusters.yaml.j2");
    files.put(
        "templates/sidecar/clusters.yaml.j2",
        template.replace(
            "  type: EDS\n  connect_timeout: 1s", "  type: EDS\n  connect_timeout: 0s"));
    DefinitionTree tree = new DefinitionTree(files);
    Mesh mesh = DefinitionLoader.load(tree).orElseThrow();
    AnalysisResult result =
        analyze(tree, renderer.render(mesh, service -> List.of(new HostPort("10.9.0.1", 9090))));
    assertThat(result.findings())
        .filteredOn(f -> f.ruleId().startsWith("TRL2"))
        .isNotEmpty()
        .allMatch(f -> f.ruleId().equals("TRL201"));
    assertThat(result.findings())
        .filteredOn(f -> f.ruleId().startsWith("TRL2"))
        .filteredOn(f -> f.group().orElseThrow().equals("storefront"))
        .extracting(f -> f.location() + " " + f.message().replaceAll("line \\d+]$", "line N]"))
        .containsExactly(
            "services/storefront.yaml:9:5 Cluster 'payments': field 'connect_timeout' must be"
                + " greater than 0s (envoy.config.cluster.v3.Cluster.connect_timeout: duration.gt)"
                + " [group 'storefront', template 'sidecar/clusters.yaml.j2' line N]",
            "services/storefront.yaml:12:5 Cluster 'catalog': field 'connect_timeout' must be"
                + " greater than 0s (envoy.config.cluster.v3.Cluster.connect_timeout: duration.gt)"
                + " [group 'storefront', template 'sidecar/clusters.yaml.j2' line N]",
            "services/storefront.yaml:13:5 Cluster 'audit': field 'connect_timeout' must be"
                + " greater than 0s (envoy.config.cluster.v3.Cluster.connect_timeout: duration.gt)"
                + " [group 'storefront', template 'sidecar/clusters.yaml.j2' line N]");
  }

  private static String defaultTemplate(String name) throws IOException {
    try (InputStream in =
        RenderedMeshAnalysisTest.class.getResourceAsStream("/trellis/templates/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** The sample mesh of the repo, samples/mesh, renders to config without errors. */
  @Test
  void theSampleMeshHasNoErrors() {
    DefinitionTree tree = DefinitionTree.fromDirectory(Path.of("..", "samples", "mesh"));
    Mesh mesh = DefinitionLoader.load(tree).orElseThrow();
    AnalysisResult result = analyze(tree, renderer.render(mesh));
    assertThat(result.findings()).filteredOn(f -> f.level() == Level.ERROR).isEmpty();
  }
}
