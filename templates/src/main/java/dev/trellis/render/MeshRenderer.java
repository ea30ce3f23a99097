package dev.trellis.render;

import dev.trellis.model.Mesh;
import dev.trellis.model.SourceLocation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Renders a validated mesh into each proxy group's Envoy resources through the default templates
 * and the mesh's template overrides.
 *
 * <p>Templates are compiled once per set of overrides and reused while the overrides stay the same.
 * A renderer may be shared; rendering is deterministic: the same mesh and endpoints give equal
 * protos in the same order.
 */
public final class MeshRenderer {

  private final ResourceParser parser = new ResourceParser();
  private volatile TemplateSet compiled;

  /** Every proxy group a mesh needs, in id order (see {@link ProxyGroup}). */
  public static List<ProxyGroup> groups(Mesh mesh) {
    return RenderModel.groupsOf(mesh);
  }

  /** Renders every group with the static endpoints of the definitions only. */
  public RenderedMesh render(Mesh mesh) {
    return render(mesh, DiscoveredEndpoints.NONE);
  }

  /**
   * Renders every group of {@code mesh}.
   *
   * @throws RenderException with every problem found in any group, and the groups that did render
   *     ({@link RenderException#partial()})
   */
  public RenderedMesh render(Mesh mesh, DiscoveredEndpoints discovered) {
    TemplateSet templates = templates(mesh);
    RenderModel model = model(mesh, discovered);
    ResourceParser.Cache cache = new ResourceParser.Cache();
    // Groups are independent; render them on all cores, then collect in group order.
    List<Object> results =
        groups(mesh).parallelStream()
            .map(
                g -> {
                  try {
                    return (Object) renderGroup(templates, model, g, cache);
                  } catch (RenderException e) {
                    return e;
                  }
                })
            .toList();
    SortedMap<String, RenderedGroup> groups = new TreeMap<>();
    List<RenderError> errors = new ArrayList<>();
    for (Object r : results) {
      if (r instanceof RenderedGroup g) {
        groups.put(g.group().id(), g);
      } else {
        errors.addAll(((RenderException) r).errors());
      }
    }
    if (!errors.isEmpty()) {
      throw new RenderException(merge(errors), new RenderedMesh(mesh, groups));
    }
    return new RenderedMesh(mesh, groups);
  }

  /**
   * Renders one group's complete config.
   *
   * @throws IllegalArgumentException if {@code group} is not one of {@link #groups}
   * @throws RenderException with every problem found
   */
  public RenderedGroup renderGroup(Mesh mesh, ProxyGroup group, DiscoveredEndpoints discovered) {
    requireGroup(mesh, group);
    return renderGroup(templates(mesh), model(mesh, discovered), group, new ResourceParser.Cache());
  }

  /**
   * Renders only the endpoints (EDS) of one group. The other templates never see endpoints, so
   * after an endpoint-only change this is all that needs rendering again.
   */
  public List<RenderedResource> renderEndpoints(
      Mesh mesh, ProxyGroup group, DiscoveredEndpoints discovered) {
    requireGroup(mesh, group);
    TemplateSet templates = templates(mesh);
    RenderModel model = model(mesh, discovered);
    List<RenderError> errors = new ArrayList<>();
    List<RenderedResource> out =
        renderType(
            templates,
            model,
            group,
            ResourceType.ENDPOINT,
            model.endpointBindings(group),
            new ResourceParser.Cache(),
            errors);
    checkUnique(group, out, errors);
    if (!errors.isEmpty()) {
      throw new RenderException(errors);
    }
    return new RenderedGroup(group, out).resources();
  }

  private RenderedGroup renderGroup(
      TemplateSet templates, RenderModel model, ProxyGroup group, ResourceParser.Cache cache) {
    List<RenderError> errors = new ArrayList<>();
    List<RenderedResource> all = new ArrayList<>();
    Map<String, Object> bindings = null; // shared by the non-EDS templates, built on first use
    for (ResourceType type : ResourceType.values()) {
      if (templates.templateFor(group.kind(), type).isEmpty()) {
        continue;
      }
      Map<String, Object> context;
      if (type == ResourceType.ENDPOINT) {
        context = model.endpointBindings(group);
      } else {
        bindings = bindings == null ? model.bindings(group) : bindings;
        context = bindings;
      }
      List<RenderedResource> resources =
          renderType(templates, model, group, type, context, cache, errors);
      checkUnique(group, resources, errors);
      all.addAll(resources);
    }
    if (!errors.isEmpty()) {
      throw new RenderException(errors);
    }
    return new RenderedGroup(group, all);
  }

  private List<RenderedResource> renderType(
      TemplateSet templates,
      RenderModel model,
      ProxyGroup group,
      ResourceType type,
      Map<String, Object> bindings,
      ResourceParser.Cache cache,
      List<RenderError> errors) {
    Optional<String> template = templates.templateFor(group.kind(), type);
    if (template.isEmpty()) {
      return List.of();
    }
    SourceLocation root = model.rootDefinition(group);
    try {
      TemplateSet.Output output = templates.render(template.get(), bindings, group.id(), root);
      return parser.parse(
          new ResourceParser.Source(type, template.get(), output, templates, group.id(), root),
          cache,
          errors);
    } catch (RenderException e) {
      errors.addAll(e.errors());
      return List.of();
    }
  }

  private static void checkUnique(
      ProxyGroup group, List<RenderedResource> resources, List<RenderError> errors) {
    Map<String, RenderedResource> seen = new HashMap<>();
    for (RenderedResource r : resources) {
      RenderedResource first = seen.putIfAbsent(r.name(), r);
      if (first != null) {
        Origin o = r.origin();
        errors.add(
            new RenderError(
                o.template(),
                o.templateLine(),
                group.id(),
                ResourceParser.typeName(r.type())
                    + " '"
                    + r.name()
                    + "' is rendered twice (first at templates/"
                    + first.origin().template()
                    + ":"
                    + first.origin().templateLine()
                    + ")"));
      }
    }
  }

  private static void requireGroup(Mesh mesh, ProxyGroup group) {
    if (!RenderModel.exists(mesh, group)) {
      throw new IllegalArgumentException("mesh has no proxy group '" + group + "'");
    }
  }

  /** Mesh-wide indexes of the last mesh rendered, reused while the same mesh is rendered again. */
  private record MeshIndex(Mesh mesh, Map<String, List<String>> principals) {}

  private volatile MeshIndex index;

  private RenderModel model(Mesh mesh, DiscoveredEndpoints discovered) {
    return new RenderModel(mesh, discovered, () -> index(mesh).principals());
  }

  private MeshIndex index(Mesh mesh) {
    MeshIndex i = index;
    if (i == null || i.mesh() != mesh) {
      i = new MeshIndex(mesh, RenderModel.principals(mesh));
      index = i;
    }
    return i;
  }

  /** Compiled templates for the mesh's overrides; recompiled only when the overrides change. */
  private TemplateSet templates(Mesh mesh) {
    TemplateSet t = compiled;
    if (t == null || !t.overrides().equals(mesh.templateOverrides())) {
      t = TemplateSet.compile(mesh.templateOverrides());
      compiled = t;
    }
    return t;
  }

  /** One error per template line and message, listing every group that hit it. */
  private static List<RenderError> merge(List<RenderError> errors) {
    Map<List<Object>, List<String>> groups = new LinkedHashMap<>();
    Map<List<Object>, RenderError> first = new HashMap<>();
    for (RenderError e : errors) {
      List<Object> key = List.of(e.template(), e.line(), e.message());
      first.putIfAbsent(key, e);
      groups.computeIfAbsent(key, k -> new ArrayList<>()).addAll(e.groups());
    }
    List<RenderError> out = new ArrayList<>();
    groups.forEach(
        (key, gs) -> {
          RenderError e = first.get(key);
          out.add(new RenderError(e.template(), e.line(), gs, e.message()));
        });
    return out;
  }
}
