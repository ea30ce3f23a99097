package dev.trellis.bench.mesh;

import dev.trellis.model.Dependency;
import dev.trellis.model.Endpoints;
import dev.trellis.model.HostPort;
import dev.trellis.model.Mesh;
import dev.trellis.model.Protocol;
import dev.trellis.model.ServiceDef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One edit to a service's definition, named so that two processes can apply the same edit to the
 * same generated mesh: {@code route:<service>:<step>} changes the timeout of the service's first
 * HTTP/gRPC dependency (only its own sidecars' routes change); {@code endpoints:<service>:<step>}
 * replaces its last static endpoint (every caller's endpoints change).
 */
public record Change(Kind kind, String service, int step) {

  public enum Kind {
    ROUTE,
    ENDPOINTS
  }

  public static Change parse(String text) {
    String[] parts = text.split(":", -1);
    if (parts.length != 3) {
      throw new IllegalArgumentException(
          "change '" + text + "' is not <route|endpoints>:<service>:<step>");
    }
    Kind kind;
    try {
      kind = Kind.valueOf(parts[0].toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "change '" + text + "': kind '" + parts[0] + "' is not route or endpoints", e);
    }
    return new Change(kind, parts[1], Integer.parseInt(parts[2]));
  }

  /** The mesh with this change made; the service must exist and allow the change. */
  public Mesh applyTo(Mesh mesh) {
    ServiceDef s =
        mesh.service(service)
            .orElseThrow(
                () -> new IllegalArgumentException("change " + this + ": no service " + service));
    ServiceDef changed =
        switch (kind) {
          case ROUTE -> withRouteChange(s, mesh);
          case ENDPOINTS -> withEndpointChange(s);
        };
    SortedMap<String, ServiceDef> services = new TreeMap<>(mesh.services());
    services.put(service, changed);
    return new Mesh(mesh.config(), services, mesh.templateOverrides());
  }

  /** Whether a route change can be made to {@code s}: it has a sidecar and an HTTP dependency. */
  public static boolean routable(ServiceDef s, Mesh mesh) {
    return s.sidecar() && firstHttpDependency(s, mesh) >= 0;
  }

  private ServiceDef withRouteChange(ServiceDef s, Mesh mesh) {
    int i = firstHttpDependency(s, mesh);
    if (i < 0) {
      throw new IllegalArgumentException(
          "change " + this + ": service " + service + " has no HTTP or gRPC dependency");
    }
    List<Dependency> deps = new ArrayList<>(s.dependencies());
    Dependency d = deps.get(i);
    // A timeout no generated dependency has, different for every step.
    deps.set(
        i, new Dependency(d.name(), Optional.of(Duration.ofMillis(10_000L + step)), d.retries()));
    return new ServiceDef(
        s.name(),
        s.owner(),
        s.protocol(),
        s.port(),
        s.sidecar(),
        s.mtls(),
        s.endpoints(),
        deps,
        s.edge(),
        s.provenance());
  }

  private ServiceDef withEndpointChange(ServiceDef s) {
    List<HostPort> hosts = new ArrayList<>(s.endpoints().staticEndpoints());
    if (hosts.isEmpty()) {
      throw new IllegalArgumentException(
          "change " + this + ": service " + service + " has no static endpoint");
    }
    HostPort last = hosts.get(hosts.size() - 1);
    int dot = last.host().lastIndexOf('.');
    // Host numbers 1..200 are the generated ones; steps use 201..254 in turn.
    String host = last.host().substring(0, dot + 1) + (201 + Math.floorMod(step, 54));
    hosts.set(hosts.size() - 1, new HostPort(host, last.port(), last.zone()));
    return new ServiceDef(
        s.name(),
        s.owner(),
        s.protocol(),
        s.port(),
        s.sidecar(),
        s.mtls(),
        new Endpoints(hosts, s.endpoints().kubernetes()),
        s.dependencies(),
        s.edge(),
        s.provenance());
  }

  private static int firstHttpDependency(ServiceDef s, Mesh mesh) {
    for (int i = 0; i < s.dependencies().size(); i++) {
      Optional<ServiceDef> callee = mesh.service(s.dependencies().get(i).name());
      if (callee.isPresent() && callee.get().protocol() != Protocol.TCP) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public String toString() {
    return kind.name().toLowerCase(Locale.ROOT) + ":" + service + ":" + step;
  }
}
