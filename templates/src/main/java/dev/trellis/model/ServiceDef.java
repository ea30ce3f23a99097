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
 * @param clients the gRPC implementations a proxyless service runs on, as its definition narrows
 *     them ({@code clients: [grpc-node]}); empty means every one (see {@link #servedClients()})
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
    Provenance provenance,
    List<XdsClient> clients) {

  public ServiceDef {
    dependencies = List.copyOf(dependencies);
    clients = List.copyOf(clients);
  }

  /** A service that runs on any client of its kind. */
  public ServiceDef(
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
    this(
        name,
        owner,
        protocol,
        port,
        sidecar,
        proxyless,
        mtls,
        authz,
        endpoints,
        dependencies,
        edge,
        provenance,
        List.of());
  }

  /**
   * The clients that read this service's config: the declared ones or every gRPC client when
   * proxyless, otherwise Envoy (its sidecar, or the edge in front of it).
   */
  public List<XdsClient> servedClients() {
    if (!proxyless) {
      return List.of(XdsClient.ENVOY);
    }
    return clients.isEmpty() ? XdsClient.GRPC : clients;
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
