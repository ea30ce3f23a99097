package dev.trellis.render;

import java.util.List;
import java.util.stream.Collectors;

/** Templates could not be compiled or rendered into valid Envoy resources; see {@link #errors}. */
public final class RenderException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient List<RenderError> errors;

  public RenderException(List<RenderError> errors) {
    super(errors.stream().map(RenderError::toString).collect(Collectors.joining("\n")));
    this.errors = List.copyOf(errors);
  }

  public RenderException(RenderError error) {
    this(List.of(error));
  }

  /** The problems, in the order found; never empty. */
  public List<RenderError> errors() {
    return errors;
  }
}
