package dev.trellis.mtls;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.stream.Collectors;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;

/** Certificates for tests that Trellis itself would not make, and PKIX validation. */
final class TestPki {
  private TestPki() {}

  static final SecureRandom RANDOM = new SecureRandom();

  /** Validates {@code chain} against {@code roots} as of {@code at}, as a TLS peer would. */
  static void validate(List<X509Certificate> chain, List<X509Certificate> roots, Instant at)
      throws Exception {
    PKIXParameters params =
        new PKIXParameters(
            roots.stream().map(r -> new TrustAnchor(r, null)).collect(Collectors.toSet()));
    params.setRevocationEnabled(false);
    params.setDate(Date.from(at));
    CertPathValidator.getInstance("PKIX")
        .validate(CertificateFactory.getInstance("X.509").generateCertPath(chain), params);
  }

  static KeyPair rsaKey() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048, RANDOM);
    return generator.generateKeyPair();
  }

  /**
   * A self-signed certificate with the given basic constraints (null: none) and key usage (null:
   * none) and no SPIFFE SAN, like a root from a corporate PKI.
   */
  static RootCaParts selfSigned(
      KeyPair pair,
      BasicConstraints constraints,
      KeyUsage usage,
      Instant notBefore,
      Instant notAfter) {
    var name = Certificates.name("Corp root", "Example Corp");
    List<Certificates.Ext> ext = new ArrayList<>();
    if (constraints != null) {
      ext.add(new Certificates.Ext(Extension.basicConstraints, true, constraints));
    }
    if (usage != null) {
      ext.add(new Certificates.Ext(Extension.keyUsage, true, usage));
    }
    ext.add(Certificates.subjectKeyId(pair.getPublic()));
    X509Certificate cert =
        Certificates.sign(
            name, pair.getPrivate(), name, pair.getPublic(), notBefore, notAfter, RANDOM, ext);
    return new RootCaParts(cert, pair);
  }

  record RootCaParts(X509Certificate certificate, KeyPair pair) {
    RootCa root() {
      return new RootCa(certificate, pair.getPrivate());
    }
  }

  static KeyUsage caUsage() {
    return new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign);
  }
}
