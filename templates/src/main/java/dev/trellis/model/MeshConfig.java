package dev.trellis.model;

import java.util.List;
import java.util.Optional;

/**
 * Mesh-wide settings from {@code mesh.yaml}; every field has a default so the file is optional.
 *
 * @param inboundPort where every sidecar accepts traffic for its app (callers dial
 *     instance:inboundPort)
 * @param outboundPort where every sidecar accepts its app's HTTP/gRPC calls to dependencies
 *     (loopback)
 * @param trafficDefaults the policy of every call, where a dependency or edge does not say
 * @param securityHeaders the edge's response security headers, where a service does not say
 * @param serviceAccounts which Kubernetes service account stands for which service, for proxies
 *     that authenticate with a service-account token; none: each stands for its namesake
 */
public record MeshConfig(
    String name,
    String trustDomain,
    MtlsMode mtlsDefault,
    int inboundPort,
    int outboundPort,
    List<Gateway> gateways,
    TrafficPolicy trafficDefaults,
    SecurityHeaders securityHeaders,
    List<ServiceAccountBinding> serviceAccounts,
    Provenance provenance) {

  public static final String FILE = "mesh.yaml";

  public MeshConfig {
    gateways = List.copyOf(gateways);
    serviceAccounts = List.copyOf(serviceAccounts);
  }

  /**
   * The service (or gateway) whose workloads service account {@code namespace}/{@code account}
   * stands for: by {@link #serviceAccounts}, or, when it lists none, the one named {@code account}
   * (in any namespace, as Istio's default does). Empty when the list leaves it out.
   */
  public Optional<String> serviceOf(String namespace, String account) {
    if (serviceAccounts.isEmpty()) {
      return Optional.of(account);
    }
    return serviceAccounts.stream()
        .filter(b -> b.namespace().equals(namespace) && b.name().equals(account))
        .map(ServiceAccountBinding::service)
        .findFirst();
  }

  /** Settings without traffic defaults or security header overrides. */
  public MeshConfig(
      String name,
      String trustDomain,
      MtlsMode mtlsDefault,
      int inboundPort,
      int outboundPort,
      List<Gateway> gateways,
      Provenance provenance) {
    this(
        name,
        trustDomain,
        mtlsDefault,
        inboundPort,
        outboundPort,
        gateways,
        TrafficPolicy.NONE,
        SecurityHeaders.NONE,
        List.of(),
        provenance);
  }

  public static MeshConfig defaults() {
    return new MeshConfig(
        "mesh",
        "cluster.local",
        MtlsMode.DISABLE,
        15006,
        15001,
        List.of(),
        new Provenance(FILE, java.util.Map.of()));
  }
}
