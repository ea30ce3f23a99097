package dev.trellis.model.load;

import dev.trellis.model.Mesh;
import java.util.List;
import java.util.Optional;

/**
 * The outcome of loading definitions: a mesh when there are no errors, otherwise every error found,
 * ordered by file, line and column.
 */
public record LoadResult(Optional<Mesh> mesh, List<LoadError> errors) {

  public LoadResult {
    errors = List.copyOf(errors);
    if (mesh.isPresent() == !errors.isEmpty()) {
      throw new IllegalArgumentException("a load result has either a mesh or errors");
    }
  }

  public boolean ok() {
    return errors.isEmpty();
  }

  /** The mesh, or a {@link DefinitionException} listing every error. */
  public Mesh orElseThrow() {
    return mesh.orElseThrow(() -> new DefinitionException(errors));
  }
}
