package dev.trellis.model;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A validated mesh: its settings, its services by name, and any template overrides the definitions
 * repo carries (template path relative to {@code templates/} mapped to its text).
 */
public record Mesh(
    MeshConfig config,
    SortedMap<String, ServiceDef> services,
    SortedMap<String, String> templateOverrides) {

  public Mesh {
    services = Collections.unmodifiableSortedMap(new TreeMap<>(services));
    templateOverrides = Collections.unmodifiableSortedMap(new TreeMap<>(templateOverrides));
  }

  public Optional<ServiceDef> service(String name) {
    return Optional.ofNullable(services.get(name));
  }

  public Optional<Gateway> gateway(String name) {
    return config.gateways().stream().filter(g -> g.name().equals(name)).findFirst();
  }

  /** The effective mTLS mode of a service: its own, else the mesh default. */
  public MtlsMode mtlsOf(ServiceDef service) {
    return service.mtls().orElse(config.mtlsDefault());
  }

  /** The SPIFFE ID of a service's workloads, {@code spiffe://<trustDomain>/service/<name>}. */
  public String identityOf(String service) {
    return "spiffe://" + config.trustDomain() + "/service/" + service;
  }

  /** The SPIFFE ID of an edge gateway's proxies, {@code spiffe://<trustDomain>/gateway/<name>}. */
  public String gatewayIdentity(String gateway) {
    return "spiffe://" + config.trustDomain() + "/gateway/" + gateway;
  }

  /**
   * What the inbound side of a service accepts, as its callers must treat it. A sidecar applies the
   * service's mode. A proxyless gRPC server can be strict but not permissive: grpc-xds picks a
   * filter chain before the handshake and cannot tell TLS from plaintext on one port, so permissive
   * serves plaintext. Anything else has nothing that terminates TLS: plaintext.
   */
  public MtlsMode servedMtls(ServiceDef service) {
    if (service.sidecar()) {
      return mtlsOf(service);
    }
    if (service.proxyless() && service.protocol() == Protocol.GRPC) {
      return mtlsOf(service) == MtlsMode.STRICT ? MtlsMode.STRICT : MtlsMode.DISABLE;
    }
    return MtlsMode.DISABLE;
  }

  /**
   * Whether {@code caller} can originate mTLS to {@code callee}: through its sidecar, or as a
   * proxyless gRPC client of a gRPC service. A caller with neither sends what its app sends.
   */
  public static boolean canOriginateMtls(ServiceDef caller, ServiceDef callee) {
    return caller.sidecar() || (caller.proxyless() && callee.protocol() == Protocol.GRPC);
  }

  /** Whether calls from {@code caller} to {@code callee} travel over mTLS as rendered now. */
  public boolean callsOverMtls(ServiceDef caller, ServiceDef callee) {
    return servedMtls(callee).acceptsMtls() && canOriginateMtls(caller, callee);
  }

  /**
   * The effective traffic policy of calls to {@code dependency}: what the caller wrote, then the
   * mesh's {@code trafficDefaults}, then {@link TrafficPolicy#BUILT_IN}.
   */
  public TrafficPolicy policyOf(Dependency dependency) {
    return dependency.policy().orElse(config.trafficDefaults()).orElse(TrafficPolicy.BUILT_IN);
  }

  /**
   * The effective traffic policy of the edge's requests to an exposed service: the mesh defaults
   * with the edge's own timeout. Retries are left out: the edge does not know which requests are
   * safe to repeat.
   */
  public TrafficPolicy edgePolicyOf(EdgeExposure edge) {
    TrafficPolicy defaults = config.trafficDefaults().orElse(TrafficPolicy.BUILT_IN);
    return new TrafficPolicy(
        edge.timeout().or(defaults::timeout),
        TrafficPolicy.Retries.NONE,
        defaults.circuitBreakers(),
        defaults.outlierDetection(),
        defaults.lb());
  }

  /** The edge's deadline for requests to {@code service}, if it is exposed and one is set. */
  public Optional<Duration> edgeTimeoutOf(ServiceDef service) {
    return service.edge().flatMap(e -> edgePolicyOf(e).timeout());
  }

  /** The response security headers the edge sends for {@code edge}, by header name. */
  public Map<String, String> securityHeadersOf(EdgeExposure edge) {
    return edge.securityHeaders().orElse(config.securityHeaders()).effective();
  }

  /**
   * The services that declare each service as a dependency, by callee name, each list in name
   * order; services no one calls are absent. One pass over the mesh: use it rather than {@link
   * #callersOf} for every service.
   */
  public Map<String, List<ServiceDef>> callersByCallee() {
    Map<String, List<ServiceDef>> out = new java.util.HashMap<>();
    for (ServiceDef caller : services.values()) {
      caller.dependencies().stream()
          .map(Dependency::name)
          .distinct()
          .forEach(n -> out.computeIfAbsent(n, k -> new java.util.ArrayList<>()).add(caller));
    }
    return out;
  }

  /** The services that declare {@code callee} as a dependency, by name. */
  public List<ServiceDef> callersOf(String callee) {
    return services.values().stream()
        .filter(s -> s.dependencies().stream().anyMatch(d -> d.name().equals(callee)))
        .toList();
  }

  /** The services exposed through {@code gateway}, by name. */
  public Map<String, ServiceDef> exposedThrough(String gateway) {
    SortedMap<String, ServiceDef> out = new TreeMap<>();
    services.forEach(
        (n, s) -> s.edge().filter(e -> e.gateway().equals(gateway)).ifPresent(e -> out.put(n, s)));
    return Collections.unmodifiableSortedMap(out);
  }
}
