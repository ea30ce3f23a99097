package dev.trellis.render;

import dev.trellis.model.Mesh;
import dev.trellis.model.SourceLocation;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Renders a validated mesh into each proxy group's Envoy resources through the default templates
 * and the mesh's template overrides.
 *
 * <p>Templates are compiled once per set of overrides and reused while the overrides stay the same.
 * A renderer may be shared; rendering is deterministic: the same mesh and endpoints give equal
 * protos in the same order.
 *
 * <p>Each group's templates render within {@link RenderLimits}: a group over its time or output
 * budget fails with a located error and stops the render of the whole mesh (see {@link
 * RenderException#overBudget()}), so that hostile templates cost at most about one budget.
 */
public final class MeshRenderer {

  private final ResourceParser parser = new ResourceParser();
  private final RenderLimits limits;
  private volatile TemplateSet compiled;

  /** A renderer with the {@link RenderLimits#DEFAULT default} limits. */
  public MeshRenderer() {
    this(RenderLimits.DEFAULT);
  }

  public MeshRenderer(RenderLimits limits) {
    this.limits = limits;
  }

  public RenderLimits limits() {
    return limits;
  }

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
    return render(mesh, discovered, new RenderedMesh(mesh, new TreeMap<>()));
  }

  /**
   * Renders every group of {@code mesh}, taking from {@code previous} what cannot have changed.
   *
   * <p>A group's config is a function of the compiled templates and of what its templates are
   * given: its id, its root definition and its template context, and (endpoints template only) its
   * endpoints context. Each render keeps those inputs per group ({@link RenderState}) and compares
   * them exactly with the previous render's ({@link SameContext}); a sidecar or gRPC group whose
   * model inputs ({@link RenderModel.ServiceInputs}) equal the previous render's is reused without
   * building its contexts at all. A group whose inputs all equal those of {@code previous} (same
   * templates instance, same contexts) is reused as the same {@link RenderedGroup} object; one
   * whose endpoints context alone differs only has its endpoints template rendered again; every
   * other group, and every group rendered with other templates, is rendered whole. Groups {@code
   * previous} has and {@code mesh} does not are dropped. The result equals a full render of {@code
   * mesh}; its {@link RenderedMesh#state()} says which groups were rendered, re-rendered for
   * endpoints, or reused.
   *
   * @param previous the last render's result (of this or another renderer), or an empty mesh
   * @throws RenderException as {@link #render(Mesh, DiscoveredEndpoints)}
   */
  public RenderedMesh render(Mesh mesh, DiscoveredEndpoints discovered, RenderedMesh previous) {
    TemplateSet templates = templates(mesh);
    RenderModel model = model(mesh, discovered);
    // Output depends on the compiled templates too: other templates, nothing to reuse.
    RenderState before =
        previous.state().templates() == templates ? previous.state() : RenderState.NONE;
    ResourceParser.Cache cache = new ResourceParser.Cache();
    AtomicIntegerArray renders = new AtomicIntegerArray(ResourceType.values().length);
    RenderBudget.Stop stop = new RenderBudget.Stop();
    // Groups are independent; render them on all cores, then collect in group order.
    List<Object> results =
        groups(mesh).parallelStream()
            .map(
                g -> {
                  if (stop.stopped()) {
                    return STOPPED;
                  }
                  try {
                    return (Object)
                        renderOrReuse(
                            templates,
                            model,
                            g,
                            before,
                            previous.groups().get(g.id()),
                            cache,
                            renders,
                            new RenderBudget(limits, stop));
                  } catch (RenderException e) {
                    return e;
                  } catch (RenderBudget.Stopped e) {
                    return STOPPED;
                  } catch (Error e) {
                    // Out of memory: the groups still rendering would hold on to theirs.
                    stop.stop();
                    throw e;
                  }
                })
            .toList();
    SortedMap<String, RenderedGroup> groups = new TreeMap<>();
    Map<String, RenderState.Inputs> inputs = new HashMap<>();
    SortedSet<String> rendered = new TreeSet<>();
    SortedSet<String> endpointsOnly = new TreeSet<>();
    SortedSet<String> reused = new TreeSet<>();
    List<RenderError> errors = new ArrayList<>();
    for (Object r : results) {
      if (r instanceof Outcome o) {
        String id = o.group().group().id();
        groups.put(id, o.group());
        inputs.put(id, o.inputs());
        switch (o.kind()) {
          case RENDERED -> rendered.add(id);
          case ENDPOINTS -> endpointsOnly.add(id);
          case REUSED -> reused.add(id);
        }
      } else if (r instanceof RenderException e) {
        errors.addAll(e.errors());
      }
      // STOPPED: another group went over budget and has the error.
    }
    Map<ResourceType, Integer> counts = new EnumMap<>(ResourceType.class);
    for (ResourceType type : ResourceType.values()) {
      if (renders.get(type.ordinal()) > 0) {
        counts.put(type, renders.get(type.ordinal()));
      }
    }
    RenderState state = new RenderState(templates, inputs, rendered, endpointsOnly, reused, counts);
    if (!errors.isEmpty()) {
      throw new RenderException(
          merge(errors), new RenderedMesh(mesh, groups, state), stop.stopped());
    }
    return new RenderedMesh(mesh, groups, state);
  }

  /** A group not rendered because another group went over budget. */
  private static final Object STOPPED = new Object();

  private enum Done {
    RENDERED,
    ENDPOINTS,
    REUSED
  }

  /** One group of a render: its config, its inputs, and how it was obtained. */
  private record Outcome(RenderedGroup group, RenderState.Inputs inputs, Done kind) {}

  private Outcome renderOrReuse(
      TemplateSet templates,
      RenderModel model,
      ProxyGroup group,
      RenderState before,
      RenderedGroup last,
      ResourceParser.Cache cache,
      AtomicIntegerArray renders,
      RenderBudget budget) {
    RenderModel.ServiceInputs service = model.serviceInputs(group).orElse(null);
    RenderState.Inputs old = before.inputs(group.id());
    if (service != null && last != null && old != null && service.equals(old.service())) {
      // Equal inputs make equal contexts (RenderModel builds them from these alone).
      return new Outcome(last, old, Done.REUSED);
    }
    Map<String, Object> bindings =
        service != null ? RenderModel.bindings(service) : model.bindings(group);
    Map<String, Object> endpointBindings =
        service != null ? RenderModel.endpointBindings(service) : model.endpointBindings(group);
    SourceLocation root = service != null ? service.root() : model.rootDefinition(group);
    RenderState.Inputs inputs =
        new RenderState.Inputs(service, List.of(group.id(), root, bindings), endpointBindings);
    if (last != null && old != null && old.sameConfig(inputs)) {
      if (old.sameEndpoints(inputs)) {
        return new Outcome(last, inputs, Done.REUSED);
      }
      List<RenderedResource> resources = new ArrayList<>();
      for (RenderedResource r : last.resources()) {
        if (r.type() != ResourceType.ENDPOINT) {
          resources.add(r);
        }
      }
      resources.addAll(
          endpoints(templates, model, group, endpointBindings, cache, renders, budget));
      return new Outcome(new RenderedGroup(group, resources), inputs, Done.ENDPOINTS);
    }
    return new Outcome(
        renderGroup(templates, model, group, bindings, endpointBindings, cache, renders, budget),
        inputs,
        Done.RENDERED);
  }

  /**
   * Renders one group's complete config.
   *
   * @throws IllegalArgumentException if {@code group} is not one of {@link #groups}
   * @throws RenderException with every problem found
   */
  public RenderedGroup renderGroup(Mesh mesh, ProxyGroup group, DiscoveredEndpoints discovered) {
    requireGroup(mesh, group);
    RenderModel model = model(mesh, discovered);
    return renderGroup(
        templates(mesh),
        model,
        group,
        model.bindings(group),
        model.endpointBindings(group),
        new ResourceParser.Cache(),
        new AtomicIntegerArray(ResourceType.values().length),
        new RenderBudget(limits, new RenderBudget.Stop()));
  }

  /**
   * Renders only the endpoints (EDS) of one group. The other templates never see endpoints, so
   * after an endpoint-only change this is all that needs rendering again.
   */
  public List<RenderedResource> renderEndpoints(
      Mesh mesh, ProxyGroup group, DiscoveredEndpoints discovered) {
    requireGroup(mesh, group);
    RenderModel model = model(mesh, discovered);
    return endpoints(
        templates(mesh),
        model,
        group,
        model.endpointBindings(group),
        new ResourceParser.Cache(),
        new AtomicIntegerArray(ResourceType.values().length),
        new RenderBudget(limits, new RenderBudget.Stop()));
  }

  /** The endpoints template's resources of one group, in name order. */
  private List<RenderedResource> endpoints(
      TemplateSet templates,
      RenderModel model,
      ProxyGroup group,
      Map<String, Object> endpointBindings,
      ResourceParser.Cache cache,
      AtomicIntegerArray renders,
      RenderBudget budget) {
    List<RenderError> errors = new ArrayList<>();
    List<RenderedResource> out =
        renderType(
            templates,
            model,
            group,
            ResourceType.ENDPOINT,
            endpointBindings,
            cache,
            renders,
            budget,
            errors);
    checkUnique(group, out, errors);
    if (!errors.isEmpty()) {
      throw new RenderException(errors);
    }
    return new RenderedGroup(group, out).resources();
  }

  private RenderedGroup renderGroup(
      TemplateSet templates,
      RenderModel model,
      ProxyGroup group,
      Map<String, Object> bindings,
      Map<String, Object> endpointBindings,
      ResourceParser.Cache cache,
      AtomicIntegerArray renders,
      RenderBudget budget) {
    List<RenderError> errors = new ArrayList<>();
    List<RenderedResource> all = new ArrayList<>();
    for (ResourceType type : ResourceType.values()) {
      if (budget.stop().stopped()) {
        if (errors.isEmpty()) {
          throw new RenderBudget.Stopped(); // another group went over; never half a group
        }
        break; // this group went over: the rest of its templates would only add time
      }
      Map<String, Object> context = type == ResourceType.ENDPOINT ? endpointBindings : bindings;
      List<RenderedResource> resources =
          renderType(templates, model, group, type, context, cache, renders, budget, errors);
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
      AtomicIntegerArray renders,
      RenderBudget budget,
      List<RenderError> errors) {
    Optional<String> template = templates.templateFor(group.kind(), type);
    if (template.isEmpty()) {
      return List.of();
    }
    renders.incrementAndGet(type.ordinal());
    SourceLocation root = model.rootDefinition(group);
    try {
      TemplateSet.Output output =
          templates.render(template.get(), bindings, group.id(), root, budget);
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
      t = TemplateSet.compile(mesh.templateOverrides(), limits);
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
