package dev.trellis.render;

import java.util.Comparator;
import java.util.List;

/** The complete config of one proxy group, resources ordered by type then name (deterministic). */
public record RenderedGroup(ProxyGroup group, List<RenderedResource> resources) {

  private static final Comparator<RenderedResource> ORDER =
      Comparator.comparing(RenderedResource::type).thenComparing(RenderedResource::name);

  public RenderedGroup {
    resources = resources.stream().sorted(ORDER).toList();
  }

  /** The resources of one type, in name order. */
  public List<RenderedResource> of(ResourceType type) {
    return resources.stream().filter(r -> r.type() == type).toList();
  }

  /** The protos of one type, in name order. */
  @SuppressWarnings("unchecked")
  public <T> List<T> protos(ResourceType type, Class<T> protoClass) {
    return of(type).stream().map(r -> (T) protoClass.cast(r.proto())).toList();
  }
}
