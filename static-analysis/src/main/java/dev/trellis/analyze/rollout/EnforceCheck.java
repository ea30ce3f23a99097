package dev.trellis.analyze.rollout;

import dev.trellis.analyze.Level;
import dev.trellis.analyze.MeshCheck;
import dev.trellis.analyze.MeshContext;
import dev.trellis.analyze.Rule;
import dev.trellis.model.AuthzMode;
import dev.trellis.model.Mesh;
import dev.trellis.model.ServiceDef;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code authz: enforce} that would deny callers (TRL403 from the definitions, TRL405 from what the
 * audit saw, when that data is given) or that does nothing (TRL404).
 */
public final class EnforceCheck implements MeshCheck {

  public static final Rule CALLER_WITHOUT_IDENTITY =
      new Rule(
          "TRL403",
          "enforce-caller-without-identity",
          Level.ERROR,
          "An enforcing service has a declared caller that cannot present its identity.",
          "Inbound RBAC allows the SPIFFE identities of the declared callers, which a caller"
              + " presents only when it calls over mTLS. A declared caller without a sidecar (or a"
              + " proxyless gRPC app calling a non-gRPC service) calls in plaintext, without an"
              + " identity, and enforce denies it. Add a sidecar to the caller first, or keep"
              + " authz: audit.");

  public static final Rule WITHOUT_MTLS =
      new Rule(
          "TRL404",
          "enforce-without-mtls",
          Level.WARNING,
          "authz: enforce on a service that serves no mTLS has no effect.",
          "Authorization works on the callers' SPIFFE identities, which only mTLS carries. A"
              + " service at mtls: disable (or with nothing in front of it that terminates TLS)"
              + " gets no RBAC filter at all, so enforce denies nothing. Move it to permissive"
              + " first.");

  public static final Rule UNKNOWN_CALLERS =
      new Rule(
          "TRL405",
          "enforce-unknown-callers",
          Level.ERROR,
          "A service enforces authorization although its audit saw callers it does not allow.",
          "While a service was at authz: audit, its shadow rules counted the calls enforce would"
              + " deny. If those callers are real, enforce breaks them: declare them as"
              + " dependencies (or stop the calls) before enforcing. Needs the audit observations"
              + " (trellis rollout --audit FILE); without them this rule reports nothing.");

  private final Optional<AuditObservations> audit;

  /**
   * @param audit the would-be denials collected while services audited, if any were collected
   */
  public EnforceCheck(Optional<AuditObservations> audit) {
    this.audit = audit;
  }

  @Override
  public List<Rule> rules() {
    return List.of(CALLER_WITHOUT_IDENTITY, WITHOUT_MTLS, UNKNOWN_CALLERS);
  }

  @Override
  public void check(MeshContext context) {
    Mesh mesh = context.mesh();
    Map<String, List<ServiceDef>> callers = mesh.callersByCallee();
    for (ServiceDef s : mesh.services().values()) {
      if (s.authz() != AuthzMode.ENFORCE) {
        continue;
      }
      if (!mesh.servedMtls(s).acceptsMtls()) {
        context.report(
            WITHOUT_MTLS,
            Locations.authz(s),
            "Service '"
                + s.name()
                + "' has authz: enforce but serves no mTLS ("
                + (s.sidecar() || s.proxyless()
                    ? "mtls: " + mesh.mtlsOf(s).name().toLowerCase(java.util.Locale.ROOT)
                    : "no sidecar")
                + "): without identities no RBAC is rendered, so nothing is denied.");
        continue;
      }
      for (ServiceDef caller : callers.getOrDefault(s.name(), List.of())) {
        if (!Mesh.canOriginateMtls(caller, s)) {
          context.report(
              CALLER_WITHOUT_IDENTITY,
              Locations.authz(s),
              "Service '"
                  + s.name()
                  + "' has authz: enforce, but its caller '"
                  + caller.name()
                  + "' cannot present its identity ("
                  + Locations.whyNotReady(caller, s)
                  + "): its calls are denied. Add a sidecar to '"
                  + caller.name()
                  + "', or keep authz: audit.");
        }
      }
      audit.ifPresent(a -> unknownCallers(context, mesh, s, a, callers));
    }
  }

  private static void unknownCallers(
      MeshContext context,
      Mesh mesh,
      ServiceDef s,
      AuditObservations audit,
      Map<String, List<ServiceDef>> callers) {
    Set<String> allowed = allowed(mesh, s, callers.getOrDefault(s.name(), List.of()));
    List<String> unknown = new ArrayList<>();
    for (Map.Entry<String, Long> e : audit.deniedAt(s.name()).entrySet()) {
      if (!allowed.contains(e.getKey()) && e.getValue() > 0) {
        unknown.add("'" + e.getKey() + "' (" + e.getValue() + " calls)");
      }
    }
    if (!unknown.isEmpty()) {
      context.report(
          UNKNOWN_CALLERS,
          Locations.authz(s),
          "Service '"
              + s.name()
              + "' has authz: enforce, but its audit saw callers it does not allow: "
              + String.join(", ", unknown)
              + ". Declare them as dependencies, or keep authz: audit.");
    }
  }

  /** The identities the service's RBAC allows (as rendered). */
  static Set<String> allowed(Mesh mesh, ServiceDef s) {
    return allowed(mesh, s, mesh.callersOf(s.name()));
  }

  private static Set<String> allowed(Mesh mesh, ServiceDef s, List<ServiceDef> callers) {
    Set<String> out = new TreeSet<>();
    callers.forEach(c -> out.add(mesh.identityOf(c.name())));
    s.edge().ifPresent(e -> out.add(mesh.gatewayIdentity(e.gateway())));
    return out;
  }
}
