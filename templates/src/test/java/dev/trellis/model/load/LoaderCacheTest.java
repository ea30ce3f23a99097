package dev.trellis.model.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.model.DefinitionTree;
import dev.trellis.model.Mesh;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** Loading again through a cache gives exactly what loading afresh gives. */
class LoaderCacheTest {

  private static final DefinitionTree SAMPLE =
      DefinitionTree.fromDirectory(Path.of("..", "samples", "mesh"));

  @Property(tries = 60)
  void aCachedLoadEqualsAFreshLoadAfterRandomEdits(@ForAll long seed) {
    Random r = new Random(seed);
    DefinitionLoader.Cache cache = new DefinitionLoader.Cache();
    DefinitionTree tree = SAMPLE;
    assertThat(DefinitionLoader.load(tree, cache)).isEqualTo(DefinitionLoader.load(tree));
    for (int step = 0; step < 4; step++) {
      tree = edit(tree, r);
      assertThat(DefinitionLoader.load(tree, cache)).isEqualTo(DefinitionLoader.load(tree));
    }
  }

  @Test
  void unchangedServiceFilesYieldTheSameServiceObjects() {
    DefinitionLoader.Cache cache = new DefinitionLoader.Cache();
    Mesh first = DefinitionLoader.load(SAMPLE, cache).orElseThrow();
    SortedMap<String, String> files = new TreeMap<>(SAMPLE.files());
    files.put(
        "services/cart.yaml",
        files.get("services/cart.yaml").replace("timeout: 200ms", "timeout: 250ms"));

    Mesh second = DefinitionLoader.load(new DefinitionTree(files), cache).orElseThrow();

    assertThat(second.services().get("cart")).isNotEqualTo(first.services().get("cart"));
    assertThat(second.services().get("ledger")).isSameAs(first.services().get("ledger"));
  }

  /** Replaces one random line of a random YAML file: by a comment, or by nonsense. */
  private static DefinitionTree edit(DefinitionTree tree, Random r) {
    List<String> yaml = new ArrayList<>(tree.files().keySet());
    yaml.removeIf(f -> !f.endsWith(".yaml"));
    String file = yaml.get(r.nextInt(yaml.size()));
    String[] lines = tree.files().get(file).split("\n", -1);
    int at = r.nextInt(lines.length);
    lines[at] =
        switch (r.nextInt(4)) {
          case 0 -> "# " + lines[at];
          case 1 -> lines[at] + " x";
          case 2 -> lines[at].replace("true", "false");
          default -> lines[at].replaceAll("\\d", String.valueOf(r.nextInt(10)));
        };
    SortedMap<String, String> files = new TreeMap<>(tree.files());
    files.put(file, String.join("\n", lines));
    return new DefinitionTree(files);
  }
}
