package dev.trellis.mtls;

import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;

/**
 * Issues short-lived SPIFFE workload certificates for one trust domain; immutable and thread-safe.
 *
 * <p>Either it issues straight from a root it generated ({@link #generate}), or from an
 * intermediate it creates under a given root ({@link #withIntermediate}), so that a user-supplied
 * root key signs only once per control-plane start. Chains hold the leaf and any intermediate; the
 * trust bundle holds the root.
 */
public final class CertificateAuthority {

  public static final Duration DEFAULT_LEAF_LIFETIME = Duration.ofHours(24);

  /** Validity of an intermediate, cut short by its root's expiry. */
  public static final Duration INTERMEDIATE_LIFETIME = Duration.ofDays(365);

  /**
   * How far notBefore lies in the past, so that peers with a slow clock accept new certificates.
   */
  static final Duration BACKDATE = Duration.ofMinutes(5);

  private static final Duration MIN_LEAF_LIFETIME = Duration.ofSeconds(1);

  private final String trustDomain;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final X509Certificate issuer;
  private final PrivateKey issuerKey;
  private final List<X509Certificate> intermediates;
  private final List<X509Certificate> trustBundle;

  private CertificateAuthority(
      String trustDomain,
      Clock clock,
      X509Certificate issuer,
      PrivateKey issuerKey,
      List<X509Certificate> intermediates,
      X509Certificate root) {
    this.trustDomain = trustDomain;
    this.clock = clock;
    this.issuer = issuer;
    this.issuerKey = issuerKey;
    this.intermediates = List.copyOf(intermediates);
    this.trustBundle = List.of(root);
  }

  /** A CA with a new self-signed root of its own, issuing directly from it. */
  public static CertificateAuthority generate(String trustDomain, Clock clock) {
    RootCa root = RootCa.generate(trustDomain, clock);
    return new CertificateAuthority(
        trustDomain, clock, root.certificate(), root.key(), List.of(), root.certificate());
  }

  /** A CA issuing directly from {@code root} (chains are the leaf alone). */
  public static CertificateAuthority issuingFromRoot(RootCa root, String trustDomain, Clock clock)
      throws CaException {
    checkUsable(root, trustDomain, clock.instant());
    return new CertificateAuthority(
        trustDomain, clock, root.certificate(), root.key(), List.of(), root.certificate());
  }

  /**
   * A CA issuing from a new ECDSA P-256 intermediate signed by {@code root}, valid for {@link
   * #INTERMEDIATE_LIFETIME} or until the root expires, whichever comes first.
   *
   * @throws CaException if the root is expired, names another trust domain, or may not sign CAs
   */
  public static CertificateAuthority withIntermediate(RootCa root, String trustDomain, Clock clock)
      throws CaException {
    Instant now = clock.instant();
    checkUsable(root, trustDomain, now);
    X509Certificate rootCert = root.certificate();
    if (rootCert.getBasicConstraints() == 0) {
      throw new CaException(
          describe(rootCert)
              + " has pathLenConstraint 0, so it cannot sign the intermediate CA Trellis issues"
              + " from");
    }
    SecureRandom random = new SecureRandom();
    KeyPair pair = Certificates.newEcP256Key(random);
    X509Certificate intermediate =
        Certificates.sign(
            Certificates.subjectOf(rootCert),
            root.key(),
            Certificates.name("Trellis intermediate CA", trustDomain),
            pair.getPublic(),
            now.minus(BACKDATE),
            earliest(now.plus(INTERMEDIATE_LIFETIME), rootCert.getNotAfter().toInstant()),
            random,
            List.of(
                new Certificates.Ext(Extension.basicConstraints, true, new BasicConstraints(0)),
                new Certificates.Ext(
                    Extension.keyUsage,
                    true,
                    new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign)),
                Certificates.subjectKeyId(pair.getPublic()),
                Certificates.authorityKeyId(rootCert),
                Certificates.uriSan(SpiffeId.trustDomainUri(trustDomain), false)));
    return new CertificateAuthority(
        trustDomain, clock, intermediate, pair.getPrivate(), List.of(intermediate), rootCert);
  }

  private static void checkUsable(RootCa root, String trustDomain, Instant now) throws CaException {
    try {
      SpiffeId.requireValidTrustDomain(trustDomain);
    } catch (IllegalArgumentException e) {
      throw new CaException(e.getMessage());
    }
    X509Certificate cert = root.certificate();
    Optional<String> named = root.trustDomain();
    if (named.isPresent() && !named.get().equals(trustDomain)) {
      throw new CaException(
          describe(cert)
              + " belongs to trust domain '"
              + named.get()
              + "' (its URI SAN), not '"
              + trustDomain
              + "'");
    }
    if (now.isAfter(cert.getNotAfter().toInstant())) {
      throw new CaException(describe(cert) + " expired at " + cert.getNotAfter().toInstant());
    }
    if (now.isBefore(cert.getNotBefore().toInstant())) {
      throw new CaException(
          describe(cert) + " is not valid until " + cert.getNotBefore().toInstant());
    }
  }

  /** {@link #issue(SpiffeId, Duration)} with {@link #DEFAULT_LEAF_LIFETIME}. */
  public IssuedCertificate issue(SpiffeId id) {
    return issue(id, DEFAULT_LEAF_LIFETIME);
  }

  /**
   * Issues a new key and leaf certificate for {@code id}, valid from a little before now for {@code
   * lifetime} (cut short by the issuing CA's own expiry).
   *
   * @throws IllegalArgumentException if {@code id} is outside this CA's trust domain or the
   *     lifetime is shorter than a second
   * @throws IllegalStateException if the issuing CA certificate has expired
   */
  public IssuedCertificate issue(SpiffeId id, Duration lifetime) {
    Objects.requireNonNull(id, "id");
    if (!id.trustDomain().equals(trustDomain)) {
      throw new IllegalArgumentException(
          "SPIFFE ID '" + id + "' is outside trust domain '" + trustDomain + "' of this CA");
    }
    if (lifetime.compareTo(MIN_LEAF_LIFETIME) < 0) {
      throw new IllegalArgumentException(
          "certificate lifetime " + lifetime + " is shorter than " + MIN_LEAF_LIFETIME);
    }
    Instant now = clock.instant();
    Instant issuerExpiry = issuer.getNotAfter().toInstant();
    if (!now.isBefore(issuerExpiry)) {
      throw new IllegalStateException(describe(issuer) + " expired at " + issuerExpiry);
    }
    KeyPair pair = Certificates.newEcP256Key(random);
    X509Certificate leaf =
        Certificates.sign(
            Certificates.subjectOf(issuer),
            issuerKey,
            Certificates.name(id.name(), trustDomain),
            pair.getPublic(),
            now.minus(BACKDATE),
            earliest(now.plus(lifetime), issuerExpiry),
            random,
            List.of(
                new Certificates.Ext(Extension.basicConstraints, true, new BasicConstraints(false)),
                new Certificates.Ext(
                    Extension.keyUsage,
                    true,
                    new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment)),
                new Certificates.Ext(
                    Extension.extendedKeyUsage,
                    false,
                    new ExtendedKeyUsage(
                        new KeyPurposeId[] {
                          KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth
                        })),
                Certificates.subjectKeyId(pair.getPublic()),
                Certificates.authorityKeyId(issuer),
                Certificates.uriSan(id.uri(), false)));
    List<X509Certificate> chain = new ArrayList<>();
    chain.add(leaf);
    chain.addAll(intermediates);
    return new IssuedCertificate(
        id, pair.getPrivate(), chain, trustBundle, leaf.getNotAfter().toInstant());
  }

  public String trustDomain() {
    return trustDomain;
  }

  /** The roots that verify every chain this CA issues. */
  public List<X509Certificate> trustBundle() {
    return trustBundle;
  }

  /** The certificate leaves are signed with: the intermediate, or the root if there is none. */
  public X509Certificate issuer() {
    return issuer;
  }

  private static Instant earliest(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  private static String describe(X509Certificate cert) {
    return "CA certificate '" + cert.getSubjectX500Principal().getName() + "'";
  }
}
