package dev.trellis.model.load;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Definitions that did not load; the message lists every error, one {@code file:line:col} a line.
 */
public final class DefinitionException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient List<LoadError> errors;

  public DefinitionException(List<LoadError> errors) {
    super(
        errors.size()
            + (errors.size() == 1 ? " error" : " errors")
            + " in definitions:\n"
            + errors.stream().map(LoadError::toString).collect(Collectors.joining("\n")));
    this.errors = List.copyOf(errors);
  }

  public List<LoadError> errors() {
    return errors;
  }
}
