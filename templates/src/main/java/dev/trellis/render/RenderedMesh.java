package dev.trellis.render;

import dev.trellis.model.Mesh;
import java.util.Collections;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Every proxy group's rendered config for one mesh, by group id, and the {@link RenderState} of the
 * render that made it (what the next render can reuse). Equality is of mesh and groups only: the
 * state says how the config was made, not what it is.
 */
public record RenderedMesh(Mesh mesh, SortedMap<String, RenderedGroup> groups, RenderState state) {

  public RenderedMesh {
    groups = Collections.unmodifiableSortedMap(new TreeMap<>(groups));
    Objects.requireNonNull(state, "state");
  }

  /** Groups assembled outside a render: nothing for a next render to reuse. */
  public RenderedMesh(Mesh mesh, SortedMap<String, RenderedGroup> groups) {
    this(mesh, groups, RenderState.NONE);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RenderedMesh other
        && Objects.equals(mesh, other.mesh)
        && groups.equals(other.groups);
  }

  @Override
  public int hashCode() {
    return Objects.hash(mesh, groups);
  }
}
