package dev.trellis.analyze;

import com.google.protobuf.util.JsonFormat.TypeRegistry;
import dev.trellis.model.Mesh;
import dev.trellis.render.RenderedGroup;
import dev.trellis.render.RenderedResource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What a {@link GroupCheck} sees of one group, and where it reports: the group's rendered config
 * alone, so that its findings are a function of that config and can be reused while the group is
 * not rendered again (see {@link Analyzer#analyze(Mesh, dev.trellis.render.RenderedMesh,
 * Suppressions, GroupFindings)}). Not thread-safe: one context per group and analysis.
 */
public final class GroupContext {

  private final RenderedGroup group;
  private final TypeRegistry types;
  private final Map<Class<?>, Object> derived = new HashMap<>();
  private final List<Finding> findings = new ArrayList<>();

  public GroupContext(RenderedGroup group, TypeRegistry types) {
    this.group = group;
    this.types = types;
  }

  public RenderedGroup group() {
    return group;
  }

  /** The types that {@code google.protobuf.Any} fields of the group's config may hold. */
  public TypeRegistry types() {
    return types;
  }

  /**
   * A fact derived from the group, computed once and shared by every check of this analysis (e.g.
   * an index of the group's resources), keyed by its class.
   */
  public <T> T derived(Class<T> key, Function<GroupContext, T> compute) {
    Object value = derived.get(key);
    if (value == null) {
      value = compute.apply(this);
      derived.put(key, value);
    }
    return key.cast(value);
  }

  /** Reports a finding about {@code resource} (see {@link Finding#about}). */
  public void report(Rule rule, RenderedResource resource, String message) {
    findings.add(Finding.about(rule, group.group().id(), resource, message));
  }

  List<Finding> findings() {
    return findings;
  }
}
