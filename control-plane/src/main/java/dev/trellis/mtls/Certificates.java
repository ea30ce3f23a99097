package dev.trellis.mtls;

import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * X.509 building blocks over BouncyCastle's builders and the JDK's default providers (no provider
 * is registered globally).
 */
final class Certificates {
  private Certificates() {}

  /** One X.509 extension to add. */
  record Ext(ASN1ObjectIdentifier oid, boolean critical, ASN1Encodable value) {}

  static X509Certificate sign(
      X500Name issuer,
      PrivateKey signingKey,
      X500Name subject,
      PublicKey subjectKey,
      Instant notBefore,
      Instant notAfter,
      SecureRandom random,
      List<Ext> extensions) {
    // RFC 5280: positive, at most 20 octets; random so that serials never collide across CAs.
    BigInteger serial = new BigInteger(127, random).add(BigInteger.ONE);
    X509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            issuer, serial, Date.from(notBefore), Date.from(notAfter), subject, subjectKey);
    try {
      for (Ext ext : extensions) {
        builder.addExtension(ext.oid(), ext.critical(), ext.value());
      }
      return new JcaX509CertificateConverter()
          .getCertificate(
              builder.build(
                  new JcaContentSignerBuilder(signatureAlgorithm(signingKey)).build(signingKey)));
    } catch (IOException | OperatorCreationException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign certificate for '" + subject + "'", e);
    }
  }

  static KeyPair newEcP256Key(SecureRandom random) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), random);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK cannot generate EC P-256 keys", e);
    }
  }

  static String signatureAlgorithm(PrivateKey key) {
    return switch (key.getAlgorithm()) {
      case "EC" -> "SHA256withECDSA";
      case "RSA" -> "SHA256withRSA";
      default ->
          throw new IllegalArgumentException(
              "key algorithm " + key.getAlgorithm() + " is not supported (use EC or RSA)");
    };
  }

  /** Whether {@code key} is the private half of {@code certificate}'s public key. */
  static boolean keyMatches(PrivateKey key, X509Certificate certificate) {
    if (!key.getAlgorithm().equals(certificate.getPublicKey().getAlgorithm())) {
      return false;
    }
    try {
      byte[] challenge = "trellis key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      String algorithm = signatureAlgorithm(key);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(challenge);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  static X500Name name(String commonName, String organization) {
    return new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.O, organization)
        .addRDN(BCStyle.CN, commonName)
        .build();
  }

  /** The issuer field for certificates signed by {@code issuer}: its subject, byte for byte. */
  static X500Name subjectOf(X509Certificate certificate) {
    return X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
  }

  static Ext subjectKeyId(PublicKey key) {
    return new Ext(
        Extension.subjectKeyIdentifier, false, extensionUtils().createSubjectKeyIdentifier(key));
  }

  /** The authority key id: the issuer's own subject key id when it has one, so that they match. */
  static Ext authorityKeyId(X509Certificate issuer) {
    byte[] ski = issuer.getExtensionValue(Extension.subjectKeyIdentifier.getId());
    try {
      byte[] keyId =
          ski != null
              ? SubjectKeyIdentifier.getInstance(JcaX509ExtensionUtils.parseExtensionValue(ski))
                  .getKeyIdentifier()
              : extensionUtils()
                  .createSubjectKeyIdentifier(issuer.getPublicKey())
                  .getKeyIdentifier();
      return new Ext(Extension.authorityKeyIdentifier, false, new AuthorityKeyIdentifier(keyId));
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "certificate '" + issuer.getSubjectX500Principal() + "' has a malformed subject key id",
          e);
    }
  }

  static Ext uriSan(URI uri, boolean critical) {
    return new Ext(
        Extension.subjectAlternativeName,
        critical,
        new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, uri.toString())));
  }

  static List<String> uriSans(X509Certificate certificate) {
    try {
      Collection<List<?>> sans = certificate.getSubjectAlternativeNames();
      List<String> uris = new ArrayList<>();
      if (sans != null) {
        for (List<?> san : sans) {
          if (Integer.valueOf(GeneralName.uniformResourceIdentifier).equals(san.get(0))) {
            uris.add((String) san.get(1));
          }
        }
      }
      return uris;
    } catch (CertificateParsingException e) {
      throw new IllegalArgumentException(
          "certificate '" + certificate.getSubjectX500Principal() + "' has a malformed SAN", e);
    }
  }

  /** The trust domain a CA certificate names in a {@code spiffe://<td>} URI SAN, if any. */
  static Optional<String> spiffeTrustDomain(X509Certificate certificate) {
    return uriSans(certificate).stream()
        .filter(u -> u.startsWith(SpiffeId.SCHEME_PREFIX))
        .map(u -> u.substring(SpiffeId.SCHEME_PREFIX.length()))
        .filter(td -> !td.contains("/"))
        .findFirst();
  }

  private static JcaX509ExtensionUtils extensionUtils() {
    try {
      return new JcaX509ExtensionUtils();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no SHA-1 digest for key identifiers", e);
    }
  }
}
