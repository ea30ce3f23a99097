package dev.trellis.model;

import java.util.List;
import java.util.Optional;

/**
 * One service of the mesh, as declared in {@code services/<name>.yaml}.
 *
 * @param proxyless the app talks xDS itself (grpc-xds, group {@code grpc:<name>}) and terminates
 *     and originates mTLS with the certificate providers of its bootstrap; excludes {@code sidecar}
 * @param mtls the service's own mode; absent means the mesh default (see {@link Mesh#mtlsOf})
 * @param authz whether inbound authorization denies undeclared callers or only counts them
 */
public record ServiceDef(
    String name,
    String owner,
    Protocol protocol,
    int port,
    boolean sidecar,
    boolean proxyless,
    Optional<MtlsMode> mtls,
    AuthzMode authz,
    Endpoints endpoints,
    List<Dependency> dependencies,
    Optional<EdgeExposure> edge,
    Provenance provenance) {

  public ServiceDef {
    dependencies = List.copyOf(dependencies);
  }

  /** A service that is not proxyless and only audits authorization. */
  public ServiceDef(
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
    this(
        name,
        owner,
        protocol,
        port,
        sidecar,
        false,
        mtls,
        AuthzMode.AUDIT,
        endpoints,
        dependencies,
        edge,
        provenance);
  }
}
