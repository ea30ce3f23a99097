package dev.trellis.model;

import java.util.List;
import java.util.Optional;

/**
 * One service of the mesh, as declared in {@code services/<name>.yaml}.
 *
 * @param mtls the service's own mode; absent means the mesh default (see {@link Mesh#mtlsOf})
 */
public record ServiceDef(
    String name,
    String owner,
    Protocol protocol,
    int port,
    boolean sidecar,
    Optional<MtlsMode> mtls,
    Endpoints endpoints,
    List<Dependency> dependencies,
    Optional<EdgeExposure> edge,
    Provenance provenance) {

  public ServiceDef {
    dependencies = List.copyOf(dependencies);
  }
}
