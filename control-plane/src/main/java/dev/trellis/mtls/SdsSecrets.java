package dev.trellis.mtls;

import com.google.protobuf.ByteString;
import dev.trellis.render.MeshSecrets;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Builds the SDS {@link Secret}s a sidecar's TLS contexts refer to, with inline PEM data.
 *
 * <p>Naming scheme (secrets are served per proxy group, so the names are fixed, like Istio's {@code
 * default} and {@code ROOTCA}): {@value #IDENTITY} is the proxy's own certificate chain and key
 * (its service's SPIFFE identity); {@value #TRUST_BUNDLE} is the validation context holding the
 * mesh roots. A validation context that also restricts peers to given SPIFFE IDs is named {@value
 * #TRUST_BUNDLE}{@code |<purpose>} by whoever builds it; '|' cannot occur in a Trellis name, so
 * such names never clash.
 */
public final class SdsSecrets {

  /** The tls_certificate secret of the proxy's own identity. */
  public static final String IDENTITY = MeshSecrets.IDENTITY;

  /** The validation_context secret with the mesh trust bundle. */
  public static final String TRUST_BUNDLE = MeshSecrets.TRUST_BUNDLE;

  private SdsSecrets() {}

  /** The secret {@value #IDENTITY}: chain and PKCS#8 key of {@code certificate}. */
  public static Secret identity(IssuedCertificate certificate) {
    return tlsCertificate(IDENTITY, certificate);
  }

  public static Secret tlsCertificate(String name, IssuedCertificate certificate) {
    return Secret.newBuilder()
        .setName(requireName(name))
        .setTlsCertificate(
            TlsCertificate.newBuilder()
                .setCertificateChain(inline(certificate.chainPem()))
                .setPrivateKey(inline(certificate.privateKeyPem())))
        .build();
  }

  /** The secret {@value #TRUST_BUNDLE}: the roots, accepting any peer they verify. */
  public static Secret trustBundle(List<X509Certificate> roots) {
    return validationContext(TRUST_BUNDLE, roots, List.of());
  }

  /**
   * A validation_context secret trusting {@code roots} and, if {@code allowedPeers} is not empty,
   * accepting only peers whose URI SAN is exactly one of those SPIFFE IDs (listed in sorted order,
   * so that equal inputs give equal secrets).
   */
  public static Secret validationContext(
      String name, List<X509Certificate> roots, Collection<SpiffeId> allowedPeers) {
    if (roots.isEmpty()) {
      throw new IllegalArgumentException("validation context '" + name + "' has no trusted roots");
    }
    CertificateValidationContext.Builder context =
        CertificateValidationContext.newBuilder().setTrustedCa(inline(Pem.certificates(roots)));
    for (SpiffeId peer : new TreeSet<>(allowedPeers)) {
      context.addMatchTypedSubjectAltNames(
          SubjectAltNameMatcher.newBuilder()
              .setSanType(SubjectAltNameMatcher.SanType.URI)
              .setMatcher(StringMatcher.newBuilder().setExact(peer.toString())));
    }
    return Secret.newBuilder().setName(requireName(name)).setValidationContext(context).build();
  }

  private static String requireName(String name) {
    if (Objects.requireNonNull(name, "name").isEmpty()) {
      throw new IllegalArgumentException("secret name is empty");
    }
    return name;
  }

  private static DataSource inline(String pem) {
    return DataSource.newBuilder().setInlineBytes(ByteString.copyFromUtf8(pem)).build();
  }
}
