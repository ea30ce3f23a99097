package dev.trellis.render;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What one render of a mesh did, and what the next render needs from it to reuse groups: each
 * group's inputs (see {@link MeshRenderer#render(dev.trellis.model.Mesh, DiscoveredEndpoints,
 * RenderedMesh)}).
 */
public final class RenderState {

  /** A render that left nothing to reuse (e.g. a mesh assembled by hand). */
  public static final RenderState NONE =
      new RenderState(null, Map.of(), new TreeSet<>(), new TreeSet<>(), new TreeSet<>(), Map.of());

  /**
   * One group's inputs, kept to compare with the next render's: for a sidecar or gRPC group the
   * model inputs its contexts are built from ({@code service}, else null); its id, root definition
   * and template context ({@code config}), and the context of its endpoints template ({@code
   * endpoints}). See {@link SameContext}.
   */
  record Inputs(
      RenderModel.ServiceInputs service, List<Object> config, Map<String, Object> endpoints) {

    boolean sameConfig(Inputs other) {
      return SameContext.same(config, other.config);
    }

    boolean sameEndpoints(Inputs other) {
      return SameContext.same(endpoints, other.endpoints);
    }
  }

  private final TemplateSet templates;
  private final Map<String, Inputs> inputs;
  private final SortedSet<String> rendered;
  private final SortedSet<String> endpointsRendered;
  private final SortedSet<String> reused;
  private final Map<ResourceType, Integer> templateRenders;

  RenderState(
      TemplateSet templates,
      Map<String, Inputs> inputs,
      SortedSet<String> rendered,
      SortedSet<String> endpointsRendered,
      SortedSet<String> reused,
      Map<ResourceType, Integer> templateRenders) {
    this.templates = templates;
    this.inputs = Map.copyOf(inputs);
    this.rendered = Collections.unmodifiableSortedSet(new TreeSet<>(rendered));
    this.endpointsRendered = Collections.unmodifiableSortedSet(new TreeSet<>(endpointsRendered));
    this.reused = Collections.unmodifiableSortedSet(new TreeSet<>(reused));
    EnumMap<ResourceType, Integer> counts = new EnumMap<>(ResourceType.class);
    counts.putAll(templateRenders);
    this.templateRenders = Collections.unmodifiableMap(counts);
  }

  /** The compiled templates the groups were rendered with; null for {@link #NONE}. */
  TemplateSet templates() {
    return templates;
  }

  /** The inputs of a group this render produced, or null. */
  Inputs inputs(String groupId) {
    return inputs.get(groupId);
  }

  /** Groups whose templates were all rendered. */
  public SortedSet<String> rendered() {
    return rendered;
  }

  /** Groups whose endpoints alone were rendered again, the rest taken from the previous render. */
  public SortedSet<String> endpointsRendered() {
    return endpointsRendered;
  }

  /** Groups taken unchanged (the same {@link RenderedGroup} object) from the previous render. */
  public SortedSet<String> reused() {
    return reused;
  }

  /** How many times a template of each type was rendered (types not rendered are absent). */
  public Map<ResourceType, Integer> templateRenders() {
    return templateRenders;
  }

  @Override
  public String toString() {
    return "RenderState[rendered "
        + rendered.size()
        + ", endpoints only "
        + endpointsRendered.size()
        + ", reused "
        + reused.size()
        + ", template renders "
        + templateRenders
        + "]";
  }
}
