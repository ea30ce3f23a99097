package dev.trellis.analyze.rollout;

import dev.trellis.model.DefinitionTree;
import dev.trellis.model.Mesh;
import dev.trellis.model.load.DefinitionLoader;
import dev.trellis.model.load.LoadResult;
import java.util.TreeMap;

/** Meshes written as the definitions files a user would write, for rollout tests. */
final class Meshes {

  private Meshes() {}

  /** A mesh from {@code mesh.yaml} text and service files given as name, then extra lines. */
  static Mesh mesh(String meshYaml, String... services) {
    TreeMap<String, String> files = new TreeMap<>();
    files.put("mesh.yaml", meshYaml);
    for (String s : services) {
      String name = s.substring(0, s.indexOf('\n'));
      files.put(
          "services/" + name + ".yaml",
          "name: " + name + "\nowner: team-" + name + "\n" + s.substring(s.indexOf('\n') + 1));
    }
    LoadResult loaded = DefinitionLoader.load(new DefinitionTree(files));
    if (!loaded.ok()) {
      throw new AssertionError(loaded.errors());
    }
    return loaded.orElseThrow();
  }

  static final String MESH = "name: m\ntrustDomain: td.example\n";

  /** A service: its name on the first line, then YAML fields. */
  static String service(String name, String... lines) {
    return name + "\n" + String.join("\n", lines) + "\n";
  }
}
