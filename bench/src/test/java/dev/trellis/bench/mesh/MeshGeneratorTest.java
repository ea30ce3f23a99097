package dev.trellis.bench.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.model.DefinitionTree;
import dev.trellis.model.Dependency;
import dev.trellis.model.Mesh;
import dev.trellis.model.Protocol;
import dev.trellis.model.ServiceDef;
import dev.trellis.model.load.DefinitionLoader;
import dev.trellis.model.load.LoadResult;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeshGeneratorTest {

  private static final MeshParams PARAMS = new MeshParams(120, 3, 42);

  @Test
  void sameSeedWritesTheSameRepoAndAnotherSeedDoesNot(@TempDir Path dir) {
    DefinitionsWriter.write(MeshGenerator.generate(PARAMS), dir.resolve("a"));
    DefinitionsWriter.write(MeshGenerator.generate(PARAMS), dir.resolve("b"));
    DefinitionsWriter.write(MeshGenerator.generate(new MeshParams(120, 3, 43)), dir.resolve("c"));

    DefinitionTree a = DefinitionTree.fromDirectory(dir.resolve("a"));
    assertThat(a.files()).hasSize(121).containsKey("mesh.yaml");
    assertThat(a.files().keySet()).allMatch(f -> f.equals("mesh.yaml") || f.endsWith(".yaml"));
    assertThat(DefinitionTree.fromDirectory(dir.resolve("b"))).isEqualTo(a);
    assertThat(DefinitionTree.fromDirectory(dir.resolve("c"))).isNotEqualTo(a);
  }

  @Test
  void trellisLoadsTheWrittenRepoBackIntoTheSameMesh(@TempDir Path dir) {
    Mesh mesh = MeshGenerator.generate(PARAMS);
    Change change = new Change(Change.Kind.ENDPOINTS, mesh.services().firstKey(), 1);
    Mesh changed = change.applyTo(mesh);
    DefinitionsWriter.write(mesh, dir);
    DefinitionsWriter.writeService(changed.service(change.service()).orElseThrow(), dir);

    LoadResult loaded = DefinitionLoader.load(DefinitionTree.fromDirectory(dir));

    assertThat(loaded.errors()).isEmpty();
    Mesh back = loaded.orElseThrow();
    assertThat(back.config().gateways()).isEqualTo(changed.config().gateways());
    assertThat(back.config().trustDomain()).isEqualTo("bench.local");
    assertThat(back.services().keySet()).isEqualTo(changed.services().keySet());
    changed
        .services()
        .forEach(
            (name, s) ->
                assertThat(content(back.service(name).orElseThrow())).isEqualTo(content(s)));
  }

  /** A service without its provenance, which the loader fills in and the generator does not. */
  private static List<Object> content(ServiceDef s) {
    return List.of(
        s.name(),
        s.owner(),
        s.protocol(),
        s.port(),
        s.sidecar(),
        s.mtls(),
        s.endpoints(),
        s.dependencies(),
        s.edge());
  }

  @Test
  void meshHasTheRequestedSizeAndARealisticShape() {
    Mesh mesh = MeshGenerator.generate(PARAMS);

    assertThat(mesh.services()).hasSize(120);
    int calls = 0;
    int callers = 0;
    for (ServiceDef s : mesh.services().values()) {
      assertThat(s.name()).matches("[a-z0-9]([a-z0-9-]*[a-z0-9])?");
      assertThat(s.endpoints().staticEndpoints()).hasSize(3);
      for (Dependency d : s.dependencies()) {
        assertThat(mesh.services()).containsKey(d.name());
        assertThat(d.name()).isNotEqualTo(s.name());
      }
      if (!s.dependencies().isEmpty()) {
        callers++;
        calls += s.dependencies().size();
      }
    }
    assertThat((double) calls / callers).isBetween(1.5, 5.0);
    assertThat(mesh.exposedThrough(MeshGenerator.GATEWAY))
        .hasSize(6)
        .allSatisfy((name, s) -> assertThat(s.protocol()).isEqualTo(Protocol.HTTP));
    assertThat(mesh.services().values()).anyMatch(s -> s.protocol() == Protocol.TCP);
    assertThat(mesh.services().values()).anyMatch(s -> s.protocol() == Protocol.GRPC);
    assertThat(mesh.services().values()).anyMatch(s -> !s.sidecar());
    // Edge-facing services are called by the gateway only.
    mesh.exposedThrough(MeshGenerator.GATEWAY)
        .keySet()
        .forEach(name -> assertThat(mesh.callersOf(name)).isEmpty());
  }

  @Test
  void writesTheDefinitionsFormat() {
    Mesh mesh = MeshGenerator.generate(new MeshParams(40, 2, 1));
    ServiceDef edge = mesh.exposedThrough(MeshGenerator.GATEWAY).values().iterator().next();

    String yaml = DefinitionsWriter.serviceYaml(edge);

    assertThat(yaml)
        .startsWith("name: " + edge.name() + "\nowner: team-edge-")
        .contains("\nprotocol: http\nport: 8080\nsidecar: true\n")
        .contains(
            "endpoints:\n  static: [\""
                + edge.endpoints().staticEndpoints().get(0)
                + "\", \""
                + edge.endpoints().staticEndpoints().get(1)
                + "\"]\n")
        .contains("dependencies:\n  - name: ")
        .endsWith(
            "edge:\n  gateway: public\n  hosts: [\""
                + edge.name()
                + ".example.com\"]\n  paths: [\"/api/"
                + edge.name()
                + "\"]\n");
    assertThat(DefinitionsWriter.meshYaml(mesh.config()))
        .isEqualTo(
            "name: bench\ntrustDomain: bench.local\nmtls: disable\ngateways:\n"
                + "  - name: public\n    httpsPort: 8443\n    httpPort: 8080\n");
    assertThat(DefinitionsWriter.duration(java.time.Duration.ofMillis(1500))).isEqualTo("1500ms");
    assertThat(DefinitionsWriter.duration(java.time.Duration.ofSeconds(2))).isEqualTo("2s");
  }
}
