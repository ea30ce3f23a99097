package dev.trellis.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The files of a definitions repo at one moment, by path relative to the repo root with '/'
 * separators. Loading works on this snapshot so that a directory, a Git ref or any other source
 * loads the same way.
 */
public record DefinitionTree(SortedMap<String, String> files) {

  public DefinitionTree {
    files = Collections.unmodifiableSortedMap(new TreeMap<>(files));
  }

  /** Reads {@code mesh.yaml}, {@code services/**} and {@code templates/**} under {@code root}. */
  public static DefinitionTree fromDirectory(Path root) {
    SortedMap<String, String> files = new TreeMap<>();
    for (String top : new String[] {MeshConfig.FILE, "services", "templates"}) {
      Path p = root.resolve(top);
      if (!Files.exists(p)) {
        continue;
      }
      try (Stream<Path> walk = Files.walk(p)) {
        for (Path f : (Iterable<Path>) walk.filter(Files::isRegularFile).sorted()::iterator) {
          String rel = root.relativize(f).toString().replace('\\', '/');
          files.put(rel, Files.readString(f, StandardCharsets.UTF_8));
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read definitions under " + root, e);
      }
    }
    return new DefinitionTree(files);
  }
}
