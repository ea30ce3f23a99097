package dev.trellis.model;

import java.util.List;

/**
 * Mesh-wide settings from {@code mesh.yaml}; every field has a default so the file is optional.
 *
 * @param inboundPort where every sidecar accepts traffic for its app (callers dial
 *     instance:inboundPort)
 * @param outboundPort where every sidecar accepts its app's HTTP/gRPC calls to dependencies
 *     (loopback)
 * @param trafficDefaults the policy of every call, where a dependency or edge does not say
 * @param securityHeaders the edge's response security headers, where a service does not say
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
    Provenance provenance) {

  public static final String FILE = "mesh.yaml";

  public MeshConfig {
    gateways = List.copyOf(gateways);
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
