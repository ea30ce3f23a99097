package dev.trellis.mtls;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A workload certificate (X509-SVID) with its key.
 *
 * @param chain the leaf first, then any intermediates up to (not including) the root
 * @param trustBundle the roots peers' chains are verified against
 * @param notAfter the leaf's expiry
 */
public record IssuedCertificate(
    SpiffeId id,
    PrivateKey key,
    List<X509Certificate> chain,
    List<X509Certificate> trustBundle,
    Instant notAfter) {

  public IssuedCertificate {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(notAfter, "notAfter");
    chain = List.copyOf(chain);
    trustBundle = List.copyOf(trustBundle);
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("certificate chain of " + id + " is empty");
    }
    if (trustBundle.isEmpty()) {
      throw new IllegalArgumentException("trust bundle of " + id + " is empty");
    }
  }

  public X509Certificate leaf() {
    return chain.get(0);
  }

  public Instant notBefore() {
    return leaf().getNotBefore().toInstant();
  }

  /** The private key as PKCS#8 PEM ({@code BEGIN PRIVATE KEY}). */
  public String privateKeyPem() {
    return Pem.privateKey(key);
  }

  /** The chain as concatenated PEM certificates, leaf first. */
  public String chainPem() {
    return Pem.certificates(chain);
  }

  public String trustBundlePem() {
    return Pem.certificates(trustBundle);
  }

  @Override
  public String toString() {
    return "IssuedCertificate[" + id + ", notAfter=" + notAfter + "]"; // never the key
  }
}
