package dev.trellis.analyze;

import com.google.protobuf.util.JsonFormat.TypeRegistry;
import dev.trellis.analyze.envoy.EnvoyValidateCheck;
import dev.trellis.analyze.envoy.VirtualHostDomainCheck;
import dev.trellis.analyze.rollout.AuditObservations;
import dev.trellis.model.Mesh;
import dev.trellis.model.ServiceDef;
import dev.trellis.render.EnvoyTypes;
import dev.trellis.render.ProxyKind;
import dev.trellis.render.RenderedGroup;
import dev.trellis.render.RenderedMesh;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Runs every check of a registry over a rendered mesh. Thread-safe, and so must checks be: callers
 * may analyze groups in parallel with {@link #analyzeGroup}. Checks keep compiled state (e.g.
 * constraint plans) between calls, so reuse one analyzer.
 */
public final class Analyzer {

  private final RuleRegistry registry;
  private final TypeRegistry types;

  /**
   * @param types the types {@code google.protobuf.Any} fields of rendered config may hold
   *     (typed_config of filters and transport sockets), normally {@link EnvoyTypes#registry()}
   */
  public Analyzer(RuleRegistry registry, TypeRegistry types) {
    this.registry = registry;
    this.types = types;
  }

  /** The standard rules, opening typed_config with the renderer's registry of Envoy types. */
  public static Analyzer standard() {
    return new Analyzer(RuleRegistry.standard(), EnvoyTypes.registry());
  }

  /** The standard rules with what services saw while auditing (TRL405 checks against it). */
  public static Analyzer standard(AuditObservations audit) {
    return new Analyzer(RuleRegistry.standard(Optional.of(audit)), EnvoyTypes.registry());
  }

  /**
   * The standard rules with what services saw while auditing, if known, and an Envoy binary that
   * validates each Envoy group's config (TRL215), if given.
   */
  public static Analyzer standard(
      Optional<AuditObservations> audit, Optional<EnvoyValidateCheck.EnvoyBinary> envoy) {
    return new Analyzer(RuleRegistry.standard(audit, envoy), EnvoyTypes.registry());
  }

  public RuleRegistry registry() {
    return registry;
  }

  public AnalysisResult analyze(Mesh mesh, RenderedMesh rendered) {
    return analyze(mesh, rendered, Suppressions.none());
  }

  /** Mesh checks, every group's checks, and the suppressions' own problems, then suppression. */
  public AnalysisResult analyze(Mesh mesh, RenderedMesh rendered, Suppressions suppressions) {
    return analyze(mesh, rendered, suppressions, GroupFindings.NONE).result();
  }

  /**
   * An analysis, and each group's findings for the next one to reuse.
   *
   * @param groups each group's findings before suppression, and how many groups were analyzed
   */
  public record Incremental(AnalysisResult result, GroupFindings groups) {}

  /**
   * As {@link #analyze(Mesh, RenderedMesh, Suppressions)}, but a group rendered as the same object
   * as one in {@code previous} gets its findings from there instead of being analyzed again: group
   * checks see the group's config alone ({@link GroupContext}), so their findings are a function of
   * that object. Mesh checks, which span groups and definitions, always run; suppressions are
   * applied to all findings afresh.
   */
  public Incremental analyze(
      Mesh mesh, RenderedMesh rendered, Suppressions suppressions, GroupFindings previous) {
    List<Finding> all = new ArrayList<>(suppressions.problems());
    // Mesh checks keep no state and each passes over the whole mesh: run them side by side, each
    // with its own context, and collect their findings in registry order.
    registry.meshChecks().parallelStream()
        .map(
            check -> {
              MeshContext meshContext = new MeshContext(mesh, rendered);
              run(check.getClass(), "the mesh", () -> check.check(meshContext));
              return meshContext.findings();
            })
        .toList()
        .forEach(all::addAll);
    // Groups are independent, and checks thread-safe: analyze them on all cores.
    List<RenderedGroup> groups = List.copyOf(rendered.groups().values());
    List<List<Finding>> found =
        groups.parallelStream()
            .map(
                group -> {
                  List<Finding> reused = previous.of(group);
                  return reused != null ? reused : List.copyOf(groupFindings(group));
                })
            .toList();
    Map<String, GroupFindings.Entry> byGroup = new HashMap<>();
    int analyzed = 0;
    for (int i = 0; i < groups.size(); i++) {
      RenderedGroup group = groups.get(i);
      if (previous.of(group) != found.get(i)) {
        analyzed++;
      }
      byGroup.put(group.group().id(), new GroupFindings.Entry(group, found.get(i)));
      all.addAll(atTheServiceFile(mesh, group, found.get(i)));
    }
    return new Incremental(suppressions.apply(all), new GroupFindings(byGroup, analyzed));
  }

  /**
   * The group checks of one group alone, for gating that group's publication; mesh checks and the
   * suppressions' own problems are left to {@link #analyze}. The mesh is not consulted: group
   * checks see the group alone.
   */
  public AnalysisResult analyzeGroup(Mesh mesh, RenderedGroup group, Suppressions suppressions) {
    return suppressions.apply(groupFindings(group));
  }

  private List<Finding> groupFindings(RenderedGroup group) {
    GroupContext context = new GroupContext(group, types);
    for (GroupCheck check : registry.groupChecks()) {
      run(check.getClass(), "group '" + group.group().id() + "'", () -> check.check(context));
    }
    return context.findings();
  }

  /**
   * A duplicate domain in an edge gateway's routes (TRL210) located at the service definition that
   * declares it as an edge host (the later of the two virtual hosts, as TRL303 does), rather than
   * at the gateway in mesh.yaml: that service file is the one the user changed. Done here, not in
   * the group check, since the group's findings are cached by its rendered config alone while
   * definition positions can move without changing it.
   */
  static List<Finding> atTheServiceFile(Mesh mesh, RenderedGroup group, List<Finding> findings) {
    if (group.group().kind() != ProxyKind.EDGE) {
      return findings;
    }
    List<Finding> out = new ArrayList<>(findings.size());
    for (Finding f : findings) {
      out.add(f.ruleId().equals(VirtualHostDomainCheck.RULE.id()) ? relocated(mesh, group, f) : f);
    }
    return out;
  }

  private static Finding relocated(Mesh mesh, RenderedGroup group, Finding f) {
    Optional<VirtualHostDomainCheck.SharedDomain> shared =
        VirtualHostDomainCheck.sharedDomain(f.message());
    if (shared.isEmpty()) {
      return f;
    }
    ServiceDef service = mesh.exposedThrough(group.group().name()).get(shared.get().laterHost());
    if (service == null) {
      return f;
    }
    List<String> hosts = service.edge().orElseThrow().hosts();
    String domain = shared.get().domain().toLowerCase(Locale.ROOT);
    for (int h = 0; h < hosts.size(); h++) {
      if (hosts.get(h).toLowerCase(Locale.ROOT).equals(domain)) {
        return new Finding(
            f.ruleId(),
            f.level(),
            f.message(),
            service.provenance().locate("edge.hosts[" + h + "]"),
            f.group(),
            f.resource());
      }
    }
    return f;
  }

  /** A failing check is a Trellis bug; say which check and input it was. */
  private static void run(Class<?> check, String subject, Runnable body) {
    try {
      body.run();
    } catch (RuntimeException e) {
      throw new IllegalStateException(check.getSimpleName() + " failed on " + subject, e);
    }
  }
}
