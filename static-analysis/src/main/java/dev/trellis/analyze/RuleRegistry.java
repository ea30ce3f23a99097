package dev.trellis.analyze;

import dev.trellis.analyze.clients.Capabilities;
import dev.trellis.analyze.clients.ClientSupportCheck;
import dev.trellis.analyze.definitions.CookieNameCheck;
import dev.trellis.analyze.envoy.EdsEndpointsCheck;
import dev.trellis.analyze.envoy.EnvoyValidateCheck;
import dev.trellis.analyze.envoy.FieldConstraintCheck;
import dev.trellis.analyze.envoy.FilterChainMatchCheck;
import dev.trellis.analyze.envoy.HttpRouterCheck;
import dev.trellis.analyze.envoy.ListenerAddressCheck;
import dev.trellis.analyze.envoy.RdsRouteConfigCheck;
import dev.trellis.analyze.envoy.ResourceSizeCheck;
import dev.trellis.analyze.envoy.RouteClusterCheck;
import dev.trellis.analyze.envoy.SdsSecretCheck;
import dev.trellis.analyze.envoy.VirtualHostDomainCheck;
import dev.trellis.analyze.mesh.CorsWildcardCredentialsCheck;
import dev.trellis.analyze.mesh.DependencyCycleCheck;
import dev.trellis.analyze.mesh.DependencyTimeoutCheck;
import dev.trellis.analyze.mesh.EdgeCsrfCheck;
import dev.trellis.analyze.mesh.EdgeRouteConflictCheck;
import dev.trellis.analyze.mesh.EdgeSecurityHeadersCheck;
import dev.trellis.analyze.mesh.EdgeTcpServiceCheck;
import dev.trellis.analyze.mesh.EdgeTimeoutCheck;
import dev.trellis.analyze.mesh.EdgeWithoutTlsCheck;
import dev.trellis.analyze.mesh.PlaintextToStrictPortCheck;
import dev.trellis.analyze.mesh.RetryPerTryTimeoutCheck;
import dev.trellis.analyze.mesh.SidecarAddressSharedCheck;
import dev.trellis.analyze.mesh.SidecarPortCollisionCheck;
import dev.trellis.analyze.mesh.StrictMtlsCallerCheck;
import dev.trellis.analyze.rollout.AuditObservations;
import dev.trellis.analyze.rollout.EnforceCheck;
import dev.trellis.analyze.rollout.ProxylessCallerCheck;
import dev.trellis.analyze.rollout.StrictCycleCheck;
import dev.trellis.analyze.rollout.UnservedModeCheck;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Every rule Trellis knows and the checks that report them. Adding a rule means writing one check
 * class and listing it in {@link #standard()}; a rule id is never reused, and an id whose rule was
 * removed goes to {@link #RETIRED}.
 */
public final class RuleRegistry {

  /** Ids of removed rules (id → name it had), never to be allocated again. */
  public static final SortedMap<String, String> RETIRED =
      Collections.unmodifiableSortedMap(new TreeMap<>());

  private final List<GroupCheck> groupChecks;
  private final List<MeshCheck> meshChecks;
  private final SortedMap<String, Rule> rules;

  /**
   * @param ownRules rules reported by the analysis itself rather than by a check (suppressions)
   * @throws IllegalArgumentException if two rules share an id or a rule uses a retired id
   */
  public RuleRegistry(
      List<GroupCheck> groupChecks, List<MeshCheck> meshChecks, List<Rule> ownRules) {
    this(groupChecks, meshChecks, ownRules, RETIRED);
  }

  RuleRegistry(
      List<GroupCheck> groupChecks,
      List<MeshCheck> meshChecks,
      List<Rule> ownRules,
      SortedMap<String, String> retired) {
    this.groupChecks = List.copyOf(groupChecks);
    this.meshChecks = List.copyOf(meshChecks);
    List<Rule> all = new ArrayList<>(ownRules);
    groupChecks.forEach(c -> all.addAll(c.rules()));
    meshChecks.forEach(c -> all.addAll(c.rules()));
    SortedMap<String, Rule> byId = new TreeMap<>();
    for (Rule r : all) {
      if (retired.containsKey(r.id())) {
        throw new IllegalArgumentException(
            "rule id "
                + r.id()
                + " is retired (was "
                + retired.get(r.id())
                + "); allocate a new id");
      }
      Rule previous = byId.putIfAbsent(r.id(), r);
      if (previous != null && !previous.equals(r)) {
        throw new IllegalArgumentException(
            "rule id " + r.id() + " is used by both " + previous.name() + " and " + r.name());
      }
    }
    this.rules = Collections.unmodifiableSortedMap(byId);
  }

  /** The rules and checks Trellis ships. */
  public static RuleRegistry standard() {
    return standard(Optional.empty());
  }

  /**
   * The rules and checks Trellis ships; {@code audit} (the would-be denials seen while services
   * audited) lets TRL405 check enforcing services against what was observed.
   */
  public static RuleRegistry standard(Optional<AuditObservations> audit) {
    return standard(audit, Optional.empty());
  }

  /**
   * The rules and checks Trellis ships, with the audit observations for TRL405 and an Envoy binary
   * for TRL215 where known.
   */
  public static RuleRegistry standard(
      Optional<AuditObservations> audit, Optional<EnvoyValidateCheck.EnvoyBinary> envoy) {
    return new RuleRegistry(
        List.of(
            new FieldConstraintCheck(),
            new RouteClusterCheck(),
            new RdsRouteConfigCheck(),
            new EdsEndpointsCheck(),
            new SdsSecretCheck(),
            new HttpRouterCheck(),
            new ListenerAddressCheck(),
            new VirtualHostDomainCheck(),
            new FilterChainMatchCheck(),
            new ResourceSizeCheck()),
        List.of(
            new DependencyCycleCheck(),
            new EdgeTimeoutCheck(),
            new EdgeRouteConflictCheck(),
            new StrictMtlsCallerCheck(),
            new PlaintextToStrictPortCheck(),
            new EdgeTcpServiceCheck(),
            new SidecarPortCollisionCheck(),
            new SidecarAddressSharedCheck(),
            new StrictCycleCheck(),
            new ProxylessCallerCheck(),
            new EnforceCheck(audit),
            new UnservedModeCheck(),
            new CookieNameCheck(),
            new EdgeCsrfCheck(),
            new EdgeSecurityHeadersCheck(),
            new CorsWildcardCredentialsCheck(),
            new RetryPerTryTimeoutCheck(),
            new DependencyTimeoutCheck(),
            new EdgeWithoutTlsCheck(),
            new ClientSupportCheck(Capabilities.standard()),
            new EnvoyValidateCheck(envoy)),
        concat(Suppressions.RULES, PipelineFindings.RULES));
  }

  private static List<Rule> concat(List<Rule> a, List<Rule> b) {
    List<Rule> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  /** Every rule, by id. */
  public Collection<Rule> rules() {
    return rules.values();
  }

  public Optional<Rule> rule(String id) {
    return Optional.ofNullable(rules.get(id));
  }

  public List<GroupCheck> groupChecks() {
    return groupChecks;
  }

  public List<MeshCheck> meshChecks() {
    return meshChecks;
  }
}
