package dev.trellis.render;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** Templates could not be compiled or rendered into valid Envoy resources; see {@link #errors}. */
public final class RenderException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient List<RenderError> errors;
  private final transient RenderedMesh partial;
  private final boolean overBudget;

  public RenderException(List<RenderError> errors) {
    this(errors, null);
  }

  public RenderException(RenderError error) {
    this(List.of(error), null);
  }

  /**
   * @param partial the groups of a whole-mesh render that did render, or null
   */
  RenderException(List<RenderError> errors, RenderedMesh partial) {
    this(errors, partial, false);
  }

  /**
   * @param overBudget a group went over its {@link RenderLimits} and the render stopped
   */
  RenderException(List<RenderError> errors, RenderedMesh partial, boolean overBudget) {
    super(errors.stream().map(RenderError::toString).collect(Collectors.joining("\n")));
    this.errors = List.copyOf(errors);
    this.partial = partial;
    this.overBudget = overBudget;
  }

  /** The problems, in the order found; never empty. */
  public List<RenderError> errors() {
    return errors;
  }

  /**
   * After {@link MeshRenderer#render} failed for some groups, the groups that rendered (possibly
   * none); empty when the templates themselves do not compile or a single group was rendered.
   */
  public Optional<RenderedMesh> partial() {
    return Optional.ofNullable(partial);
  }

  /**
   * True if a group went over its time or output budget ({@link RenderLimits}): the render of the
   * mesh stopped there, so {@link #partial()} lacks groups that were never rendered and {@link
   * #errors()} names only the groups that went over.
   */
  public boolean overBudget() {
    return overBudget;
  }
}
