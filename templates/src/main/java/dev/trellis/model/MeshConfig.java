package dev.trellis.model;

import java.util.List;

/**
 * Mesh-wide settings from {@code mesh.yaml}; every field has a default so the file is optional.
 *
 * @param inboundPort where every sidecar accepts traffic for its app (callers dial
 *     instance:inboundPort)
 * @param outboundPort where every sidecar accepts its app's HTTP/gRPC calls to dependencies
 *     (loopback)
 */
public record MeshConfig(
    String name,
    String trustDomain,
    MtlsMode mtlsDefault,
    int inboundPort,
    int outboundPort,
    List<Gateway> gateways,
    Provenance provenance) {

  public static final String FILE = "mesh.yaml";

  public MeshConfig {
    gateways = List.copyOf(gateways);
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
