package dev.trellis.render;

import dev.trellis.model.Mesh;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/** Every proxy group's rendered config for one mesh, by group id. */
public record RenderedMesh(Mesh mesh, SortedMap<String, RenderedGroup> groups) {

  public RenderedMesh {
    groups = Collections.unmodifiableSortedMap(new TreeMap<>(groups));
  }
}
