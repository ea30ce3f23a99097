package dev.trellis.analyze.rollout;

import dev.trellis.model.AuthzMode;
import dev.trellis.model.Mesh;
import dev.trellis.model.MtlsMode;
import dev.trellis.model.ServiceDef;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Where each service of a mesh stands in the mTLS rollout: who calls it, which of those callers can
 * already call it over mTLS, and what its inbound side accepts. Immutable.
 *
 * <p>A caller is <em>ready</em> for a service when it can originate mTLS to it: a caller with a
 * sidecar always can (its sidecar gets its certificate over SDS and originates mTLS to every callee
 * that accepts it, whatever the caller's own inbound mode), a proxyless gRPC app can toward gRPC
 * services (through the certificate provider of its bootstrap), an edge gateway always can. Any
 * other caller sends what its app sends: plaintext.
 */
public final class MtlsRollout {

  /** One caller of a service: a service, or an edge gateway exposing it. */
  public record Caller(String name, boolean gateway, boolean ready) {

    /** The caller as the report names it: {@code web} or {@code gateway public}. */
    public String label() {
      return gateway ? "gateway " + name : name;
    }
  }

  /**
   * One service's state.
   *
   * @param declared the mode the definitions ask for (own or mesh default)
   * @param served what its inbound side accepts as rendered (see {@link Mesh#servedMtls})
   */
  public record ServiceState(
      ServiceDef service,
      MtlsMode declared,
      MtlsMode served,
      AuthzMode authz,
      List<Caller> callers) {

    public ServiceState {
      callers = List.copyOf(callers);
    }

    public String name() {
      return service.name();
    }

    public List<Caller> ready() {
      return callers.stream().filter(Caller::ready).toList();
    }

    public List<Caller> notReady() {
      return callers.stream().filter(c -> !c.ready()).toList();
    }

    /** Whether every caller can call it over mTLS, so it can be strict (and enforce). */
    public boolean allCallersReady() {
      return callers.stream().allMatch(Caller::ready);
    }

    /** Whether its inbound RBAC is rendered at all (it needs identities, so mTLS). */
    public boolean authorizes() {
      return served.acceptsMtls();
    }
  }

  private final Mesh mesh;
  private final SortedMap<String, ServiceState> services;

  private MtlsRollout(Mesh mesh, SortedMap<String, ServiceState> services) {
    this.mesh = mesh;
    this.services = Collections.unmodifiableSortedMap(services);
  }

  public static MtlsRollout of(Mesh mesh) {
    SortedMap<String, List<Caller>> callers = new TreeMap<>();
    mesh.services().keySet().forEach(n -> callers.put(n, new ArrayList<>()));
    for (ServiceDef caller : mesh.services().values()) {
      for (var d : caller.dependencies()) {
        ServiceDef callee = mesh.service(d.name()).orElse(null);
        if (callee != null) {
          callers
              .get(callee.name())
              .add(new Caller(caller.name(), false, Mesh.canOriginateMtls(caller, callee)));
        }
      }
    }
    for (ServiceDef s : mesh.services().values()) {
      s.edge().ifPresent(e -> callers.get(s.name()).add(new Caller(e.gateway(), true, true)));
    }
    SortedMap<String, ServiceState> out = new TreeMap<>();
    for (ServiceDef s : mesh.services().values()) {
      out.put(
          s.name(),
          new ServiceState(
              s, mesh.mtlsOf(s), mesh.servedMtls(s), s.authz(), callers.get(s.name())));
    }
    return new MtlsRollout(mesh, out);
  }

  public Mesh mesh() {
    return mesh;
  }

  /** Every service's state, by name. */
  public SortedMap<String, ServiceState> services() {
    return services;
  }

  public ServiceState service(String name) {
    ServiceState s = services.get(name);
    if (s == null) {
      throw new IllegalArgumentException("no service '" + name + "'");
    }
    return s;
  }
}
