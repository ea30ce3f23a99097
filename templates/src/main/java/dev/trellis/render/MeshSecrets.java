package dev.trellis.render;

import java.util.Set;

/**
 * The names by which rendered TLS contexts refer to mesh certificates. Envoy groups ask SDS (over
 * ADS) for {@value #IDENTITY} and {@value #TRUST_BUNDLE}; templates only name them, and the control
 * plane adds them to each group from its CA when publishing, so keys never pass through templates.
 * Proxyless gRPC reads the same material from files through the certificate provider instance
 * {@value #CERTIFICATE_PROVIDER_INSTANCE} of its bootstrap.
 */
public final class MeshSecrets {

  /** The tls_certificate secret: the group's own SPIFFE certificate chain and key. */
  public static final String IDENTITY = "identity";

  /** The validation_context secret: the mesh roots. */
  public static final String TRUST_BUNDLE = "trust_bundle";

  /** The bootstrap certificate provider instance proxyless gRPC TLS contexts name. */
  public static final String CERTIFICATE_PROVIDER_INSTANCE = "trellis";

  /** The prefix of edge certificates the mesh CA issues for a gateway's TLS hosts. */
  public static final String EDGE_CERTIFICATE_PREFIX = "edge_cert/";

  /**
   * The tls_certificate secret an edge group asks for when its certificate for {@code firstHost}
   * (and the other hosts of that entry in {@code mesh.yaml}) comes from the mesh CA; the control
   * plane is to serve it with the entry's hosts as DNS names.
   */
  public static String edgeCertificate(String firstHost) {
    return EDGE_CERTIFICATE_PREFIX + firstHost;
  }

  /**
   * Secrets the control plane serves to every sidecar and edge group whose config asks for them.
   */
  public static final Set<String> PROVIDED = Set.of(IDENTITY, TRUST_BUNDLE);

  private MeshSecrets() {}
}
