package dev.trellis.render;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.model.DefinitionTree;
import dev.trellis.model.Mesh;
import dev.trellis.model.load.DefinitionLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Golden tests over {@code samples/mesh}: every proxy group's rendered config equals the checked-in
 * {@code samples/mesh/rendered/<group>.yaml}. Run with {@code -Dtrellis.golden.update=true} to
 * rewrite the expected files after an intended change, then review the diff.
 */
class SampleMeshGoldenTest {

  private static final Path MESH = Path.of("..", "samples", "mesh");
  private static final Path GOLDEN = MESH.resolve("rendered");
  private static final boolean UPDATE = Boolean.getBoolean("trellis.golden.update");

  static String fileName(String groupId) {
    // ':' is not portable in file names; service names never contain '_'.
    return groupId.replace(':', '_') + ".yaml";
  }

  private static RenderedMesh render() {
    Mesh mesh = DefinitionLoader.load(DefinitionTree.fromDirectory(MESH)).orElseThrow();
    return new MeshRenderer().render(mesh);
  }

  @TestFactory
  Stream<DynamicTest> everyGroupMatchesItsGoldenFile() throws IOException {
    RenderedMesh rendered = render();
    if (UPDATE) {
      Files.createDirectories(GOLDEN);
      try (Stream<Path> old = Files.list(GOLDEN)) {
        for (Path p : old.toList()) {
          Files.delete(p);
        }
      }
    }
    return rendered.groups().values().stream()
        .map(
            group ->
                DynamicTest.dynamicTest(
                    group.group().id(),
                    () -> {
                      String actual = ConfigPrinter.print(group, ConfigPrinter.Format.YAML);
                      Path file = GOLDEN.resolve(fileName(group.group().id()));
                      if (UPDATE) {
                        Files.writeString(file, actual, StandardCharsets.UTF_8);
                      }
                      assertThat(file).exists();
                      assertThat(actual).isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
                    }));
  }

  @Test
  void noGoldenFileWithoutAGroup() throws IOException {
    List<String> expected =
        render().groups().keySet().stream().map(SampleMeshGoldenTest::fileName).sorted().toList();
    try (Stream<Path> files = Files.list(GOLDEN)) {
      assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
          .containsExactlyElementsOf(expected);
    }
  }

  @Test
  void renderingIsByteForByteDeterministic() {
    String first = ConfigPrinter.print(render(), ConfigPrinter.Format.YAML);
    String second = ConfigPrinter.print(render(), ConfigPrinter.Format.JSON);
    String third = ConfigPrinter.print(render(), ConfigPrinter.Format.YAML);
    assertThat(third).isEqualTo(first);
    assertThat(second).isNotEmpty();
  }

  @Test
  void theSampleMeshHasEveryRolloutStage() {
    Mesh mesh = DefinitionLoader.load(DefinitionTree.fromDirectory(MESH)).orElseThrow();
    assertThat(mesh.services()).hasSizeGreaterThanOrEqualTo(8);
    assertThat(mesh.services().values())
        .anyMatch(s -> !s.sidecar())
        .anyMatch(s -> s.sidecar() && mesh.mtlsOf(s) == dev.trellis.model.MtlsMode.DISABLE)
        .anyMatch(s -> s.sidecar() && mesh.mtlsOf(s) == dev.trellis.model.MtlsMode.PERMISSIVE)
        .anyMatch(s -> s.sidecar() && mesh.mtlsOf(s) == dev.trellis.model.MtlsMode.STRICT)
        .anyMatch(s -> s.edge().isPresent());
  }
}
