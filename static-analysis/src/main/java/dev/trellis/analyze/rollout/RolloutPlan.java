package dev.trellis.analyze.rollout;

import dev.trellis.analyze.rollout.MtlsRollout.Caller;
import dev.trellis.analyze.rollout.MtlsRollout.ServiceState;
import dev.trellis.model.AuthzMode;
import dev.trellis.model.Mesh;
import dev.trellis.model.MtlsMode;
import dev.trellis.model.ServiceDef;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The next safe rollout steps, in order: each is safe once the ones before it are done. Computed by
 * applying the steps to a copy of the mesh in rounds of four phases until nothing changes:
 *
 * <ol>
 *   <li>a sidecar for every caller that cannot call a service accepting mTLS over mTLS (else that
 *       service can never be strict);
 *   <li>{@code disable → permissive} for services with a sidecar (always safe);
 *   <li>{@code → strict} where every caller is ready (proxyless gRPC servers go there straight from
 *       disable, having no permissive);
 *   <li>{@code audit → enforce} for strict services whose callers all present identities and whose
 *       audit, if observed, saw no one else.
 * </ol>
 */
public final class RolloutPlan {

  /** What a step changes. */
  public enum Kind {
    ADD_SIDECAR,
    PERMISSIVE,
    STRICT,
    ENFORCE
  }

  /** One step: what to change on which service, and why it is safe now. */
  public record Step(Kind kind, String service, String change, String reason) {}

  private static final int MAX_ROUNDS = 100;

  private final List<Step> steps;
  private final List<String> blocked;
  private final List<String> untouched;

  private RolloutPlan(List<Step> steps, List<String> blocked, List<String> untouched) {
    this.steps = List.copyOf(steps);
    this.blocked = List.copyOf(blocked);
    this.untouched = List.copyOf(untouched);
  }

  public List<Step> steps() {
    return steps;
  }

  /** Steps the plan cannot take, with the reason. */
  public List<String> blocked() {
    return blocked;
  }

  /** Services left in plaintext: no sidecar, and no caller needs one. */
  public List<String> untouched() {
    return untouched;
  }

  public static RolloutPlan of(Mesh mesh, Optional<AuditObservations> audit) {
    SortedMap<String, ServiceDef> services = new TreeMap<>(mesh.services());
    List<Step> steps = new ArrayList<>();
    SortedMap<String, String> blocked = new TreeMap<>();
    for (int round = 0; round < MAX_ROUNDS; round++) {
      int before = steps.size();
      sidecars(mesh, services, steps, blocked);
      permissive(mesh, services, steps);
      strict(mesh, services, steps);
      enforce(mesh, services, steps, blocked, audit);
      if (steps.size() == before) {
        break;
      }
    }
    Mesh end = with(mesh, services);
    List<String> untouched = new ArrayList<>();
    for (ServiceDef s : services.values()) {
      if (!end.servedMtls(s).acceptsMtls()) {
        untouched.add(s.name());
      }
    }
    return new RolloutPlan(steps, List.copyOf(blocked.values()), untouched);
  }

  private static void sidecars(
      Mesh original,
      SortedMap<String, ServiceDef> services,
      List<Step> steps,
      SortedMap<String, String> blocked) {
    Mesh mesh = with(original, services);
    SortedMap<String, TreeSet<String>> needed = new TreeMap<>();
    for (ServiceState s : MtlsRollout.of(mesh).services().values()) {
      if (!s.served().acceptsMtls()) {
        continue;
      }
      for (Caller c : s.notReady()) {
        ServiceDef caller = services.get(c.name());
        if (caller.proxyless()) {
          blocked.put(
              "proxyless " + caller.name() + " " + s.name(),
              caller.name()
                  + " (proxyless gRPC) calls "
                  + s.name()
                  + " outside xDS, in plaintext: "
                  + s.name()
                  + " cannot go strict until those calls go through a sidecar or gRPC");
        } else {
          needed.computeIfAbsent(caller.name(), n -> new TreeSet<>()).add(s.name());
        }
      }
    }
    for (Map.Entry<String, TreeSet<String>> e : needed.entrySet()) {
      ServiceDef caller = services.get(e.getKey());
      ServiceState own = MtlsRollout.of(mesh).service(caller.name());
      boolean mustRelax = mesh.mtlsOf(caller) == MtlsMode.STRICT && !own.allCallersReady();
      String change = mustRelax ? "add a sidecar, with mtls: permissive" : "add a sidecar";
      String reason =
          "it calls "
              + String.join(", ", e.getValue())
              + " in plaintext; with a sidecar it calls over mTLS"
              + (mustRelax
                  ? " (it declares strict, but not all of its own callers are ready)"
                  : "");
      steps.add(new Step(Kind.ADD_SIDECAR, caller.name(), change, reason));
      services.put(
          caller.name(),
          copy(
              caller,
              true,
              mustRelax ? Optional.of(MtlsMode.PERMISSIVE) : caller.mtls(),
              caller.authz()));
    }
  }

  private static void permissive(
      Mesh original, SortedMap<String, ServiceDef> services, List<Step> steps) {
    Mesh mesh = with(original, services);
    for (ServiceDef s : List.copyOf(services.values())) {
      if (s.sidecar() && mesh.mtlsOf(s) == MtlsMode.DISABLE) {
        steps.add(
            new Step(
                Kind.PERMISSIVE,
                s.name(),
                "mtls: disable → permissive",
                "its sidecar then accepts mTLS from ready callers and plaintext from the rest"));
        services.put(s.name(), copy(s, s.sidecar(), Optional.of(MtlsMode.PERMISSIVE), s.authz()));
      }
    }
  }

  private static void strict(
      Mesh original, SortedMap<String, ServiceDef> services, List<Step> steps) {
    Mesh mesh = with(original, services);
    for (ServiceState s : MtlsRollout.of(mesh).services().values()) {
      ServiceDef def = s.service();
      boolean candidate =
          (def.sidecar() && s.declared() == MtlsMode.PERMISSIVE)
              || (def.proxyless()
                  && def.protocol() == dev.trellis.model.Protocol.GRPC
                  && s.declared() != MtlsMode.STRICT);
      if (!candidate || !s.allCallersReady()) {
        continue;
      }
      String callers =
          s.callers().isEmpty()
              ? "nobody declares it as a dependency"
              : "every caller is ready: "
                  + String.join(", ", s.callers().stream().map(Caller::label).toList());
      List<String> proxylessCallers =
          s.callers().stream()
              .filter(c -> !c.gateway() && services.get(c.name()).proxyless())
              .map(Caller::name)
              .toList();
      String note =
          proxylessCallers.isEmpty()
              ? ""
              : "; proxyless "
                  + String.join(", ", proxylessCallers)
                  + " must have the certificate provider 'trellis' in its bootstrap";
      steps.add(
          new Step(
              Kind.STRICT,
              def.name(),
              "mtls: " + lower(s.declared()) + " → strict",
              callers + (def.proxyless() ? "; a proxyless server has no permissive" : "") + note));
      services.put(def.name(), copy(def, def.sidecar(), Optional.of(MtlsMode.STRICT), def.authz()));
    }
  }

  private static void enforce(
      Mesh original,
      SortedMap<String, ServiceDef> services,
      List<Step> steps,
      SortedMap<String, String> blocked,
      Optional<AuditObservations> audit) {
    Mesh mesh = with(original, services);
    for (ServiceState s : MtlsRollout.of(mesh).services().values()) {
      ServiceDef def = s.service();
      if (def.authz() != AuthzMode.AUDIT || s.served() != MtlsMode.STRICT || !s.allCallersReady()) {
        continue;
      }
      if (s.callers().isEmpty()) {
        blocked.put(
            "enforce " + def.name(),
            def.name()
                + " stays at authz: audit: nobody declares it as a dependency, so enforce would"
                + " deny every call; see what its audit counts first");
        continue;
      }
      List<String> unknown = new ArrayList<>();
      audit.ifPresent(
          a ->
              a.deniedAt(def.name())
                  .forEach(
                      (id, n) -> {
                        if (n > 0 && !EnforceCheck.allowed(mesh, def).contains(id)) {
                          unknown.add(id + " (" + n + " calls)");
                        }
                      }));
      if (!unknown.isEmpty()) {
        blocked.put(
            "enforce " + def.name(),
            def.name()
                + " stays at authz: audit: its audit saw callers it does not allow: "
                + String.join(", ", unknown)
                + "; declare them as dependencies or stop those calls");
        continue;
      }
      steps.add(
          new Step(
              Kind.ENFORCE,
              def.name(),
              "authz: audit → enforce",
              "it is strict and every caller presents its identity"
                  + (audit.isPresent() ? "; its audit saw no one else" : "")));
      services.put(def.name(), copy(def, def.sidecar(), def.mtls(), AuthzMode.ENFORCE));
    }
  }

  /** The plan as numbered lines. */
  public String render(String meshName) {
    StringBuilder out = new StringBuilder();
    out.append("Rollout plan for mesh '")
        .append(meshName)
        .append("': ")
        .append(steps.size())
        .append(steps.size() == 1 ? " step" : " steps")
        .append(steps.isEmpty() ? ".\n" : "; each is safe once the ones before it are done.\n");
    int width = String.valueOf(steps.size()).length();
    for (int i = 0; i < steps.size(); i++) {
      Step s = steps.get(i);
      String n = String.valueOf(i + 1);
      out.append(" ".repeat(width - n.length()))
          .append(n)
          .append(". ")
          .append(s.service())
          .append(": ")
          .append(s.change())
          .append(" (")
          .append(s.reason())
          .append(")\n");
    }
    for (String b : blocked) {
      out.append("Blocked: ").append(b).append('\n');
    }
    if (!untouched.isEmpty()) {
      out.append("Still plaintext afterwards (no sidecar, and no caller needs one): ")
          .append(String.join(", ", untouched))
          .append('\n');
    }
    return out.toString();
  }

  private static Mesh with(Mesh mesh, SortedMap<String, ServiceDef> services) {
    return new Mesh(mesh.config(), services, mesh.templateOverrides());
  }

  private static ServiceDef copy(
      ServiceDef s, boolean sidecar, Optional<MtlsMode> mtls, AuthzMode authz) {
    return new ServiceDef(
        s.name(),
        s.owner(),
        s.protocol(),
        s.port(),
        sidecar,
        s.proxyless(),
        mtls,
        authz,
        s.endpoints(),
        s.dependencies(),
        s.edge(),
        s.provenance(),
        s.clients());
  }

  private static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }
}
