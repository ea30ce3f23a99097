package dev.trellis.mtls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.CertPathValidatorException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaMiscPEMGenerator;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateAuthorityTest {

  static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
  static final SpiffeId WEB = SpiffeId.of("cluster.local", "web");

  final FakeClock clock = new FakeClock(T0);

  @Test
  void generatedRootIssuesLeavesThatVerify() throws Exception {
    CertificateAuthority ca = CertificateAuthority.generate("cluster.local", clock);
    IssuedCertificate issued = ca.issue(WEB);

    assertThat(issued.chain()).hasSize(1);
    assertThat(issued.trustBundle()).containsExactly(ca.issuer());
    TestPki.validate(issued.chain(), issued.trustBundle(), T0);
    X509Certificate root = issued.trustBundle().get(0);
    assertThat(root.getBasicConstraints()).isEqualTo(Integer.MAX_VALUE); // CA, no path limit
    assertThat(root.getPublicKey().getAlgorithm()).isEqualTo("EC");
    assertThat(root.getNotAfter().toInstant()).isEqualTo(T0.plus(RootCa.LIFETIME));
    assertThat(Certificates.uriSans(root)).containsExactly("spiffe://cluster.local");
  }

  @Test
  void leafHasSpiffeSanUsagesKeyIdsAndValidity() throws Exception {
    CertificateAuthority ca = CertificateAuthority.generate("cluster.local", clock);
    IssuedCertificate issued = ca.issue(WEB, Duration.ofHours(2));
    X509Certificate leaf = issued.leaf();

    assertThat(Certificates.uriSans(leaf)).containsExactly("spiffe://cluster.local/service/web");
    assertThat(leaf.getSubjectAlternativeNames()).hasSize(1);
    assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
    boolean[] usage = leaf.getKeyUsage();
    assertThat(usage[0]).as("digitalSignature").isTrue();
    assertThat(usage[2]).as("keyEncipherment").isTrue();
    assertThat(usage[5]).as("keyCertSign").isFalse();
    assertThat(leaf.getCriticalExtensionOIDs()).contains(Extension.keyUsage.getId());
    assertThat(leaf.getExtendedKeyUsage())
        .containsExactly("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"); // serverAuth, clientAuth
    assertThat(leaf.getPublicKey().getAlgorithm()).isEqualTo("EC");
    assertThat(leaf.getSigAlgName()).isEqualTo("SHA256withECDSA");

    byte[] issuerSki = subjectKeyId(ca.issuer());
    assertThat(authorityKeyId(leaf)).isEqualTo(issuerSki);
    assertThat(subjectKeyId(leaf)).isNotEmpty().isNotEqualTo(issuerSki);

    assertThat(leaf.getNotBefore().toInstant()).isEqualTo(T0.minus(Duration.ofMinutes(5)));
    assertThat(leaf.getNotAfter().toInstant()).isEqualTo(T0.plus(Duration.ofHours(2)));
    assertThat(issued.notAfter()).isEqualTo(T0.plus(Duration.ofHours(2)));
    assertThat(issued.notBefore()).isEqualTo(T0.minus(Duration.ofMinutes(5)));
  }

  @Test
  void eachIssueHasItsOwnKeyAndSerial() {
    CertificateAuthority ca = CertificateAuthority.generate("cluster.local", clock);
    IssuedCertificate a = ca.issue(WEB);
    IssuedCertificate b = ca.issue(WEB);
    assertThat(a.leaf().getSerialNumber()).isNotEqualTo(b.leaf().getSerialNumber());
    assertThat(a.key().getEncoded()).isNotEqualTo(b.key().getEncoded());
  }

  @Test
  void chainFailsValidationAgainstAnotherCaAndAfterExpiry() {
    IssuedCertificate issued = CertificateAuthority.generate("cluster.local", clock).issue(WEB);
    CertificateAuthority other = CertificateAuthority.generate("cluster.local", clock);
    assertThatThrownBy(() -> TestPki.validate(issued.chain(), other.trustBundle(), T0))
        .isInstanceOf(CertPathValidatorException.class);
    assertThatThrownBy(
            () ->
                TestPki.validate(
                    issued.chain(), issued.trustBundle(), T0.plus(Duration.ofHours(25))))
        .isInstanceOf(CertPathValidatorException.class);
  }

  @Test
  void pkcs8PemRoundTripsThroughPemParser() throws Exception {
    IssuedCertificate issued = CertificateAuthority.generate("cluster.local", clock).issue(WEB);
    String pem = issued.privateKeyPem();
    assertThat(pem)
        .startsWith("-----BEGIN PRIVATE KEY-----\n")
        .endsWith("-----END PRIVATE KEY-----\n");

    Object parsed;
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      parsed = parser.readObject();
      assertThat(parser.readObject()).isNull();
    }
    assertThat(parsed).isInstanceOf(PrivateKeyInfo.class);
    var key = new JcaPEMKeyConverter().getPrivateKey((PrivateKeyInfo) parsed);
    assertThat(key.getEncoded()).isEqualTo(issued.key().getEncoded());
    assertThat(Certificates.keyMatches(key, issued.leaf())).isTrue();
  }

  @Test
  void chainAndBundlePemRoundTrip() throws Exception {
    CertificateAuthority ca =
        CertificateAuthority.withIntermediate(
            RootCa.generate("cluster.local", clock), "cluster.local", clock);
    IssuedCertificate issued = ca.issue(WEB);
    assertThat(readCertificates(issued.chainPem())).isEqualTo(issued.chain());
    assertThat(readCertificates(issued.trustBundlePem())).isEqualTo(issued.trustBundle());
  }

  @Test
  void userSuppliedRsaRootGetsAnIntermediateThatIssues(@TempDir Path dir) throws Exception {
    KeyPair rsa = TestPki.rsaKey();
    var root =
        TestPki.selfSigned(
            rsa,
            new BasicConstraints(true),
            TestPki.caUsage(),
            T0.minusSeconds(60),
            T0.plus(Duration.ofDays(30)));
    // A PKCS#1 "RSA PRIVATE KEY" as openssl writes it, not PKCS#8.
    Files.writeString(dir.resolve("root.pem"), pem(root.certificate()));
    Files.writeString(dir.resolve("root.key"), pem(rsa.getPrivate()));
    assertThat(Files.readString(dir.resolve("root.key"))).startsWith("-----BEGIN RSA PRIVATE KEY");
    RootCa loaded = RootCa.readPem(dir.resolve("root.pem"), dir.resolve("root.key"));
    assertThat(loaded.trustDomain()).isEmpty();

    CertificateAuthority ca = CertificateAuthority.withIntermediate(loaded, "prod.example", clock);
    IssuedCertificate issued = ca.issue(SpiffeId.of("prod.example", "web"));

    assertThat(issued.chain()).hasSize(2);
    X509Certificate intermediate = issued.chain().get(1);
    assertThat(intermediate).isSameAs(ca.issuer());
    assertThat(issued.trustBundle()).containsExactly(root.certificate());
    assertThat(intermediate.getBasicConstraints()).isZero();
    assertThat(intermediate.getSigAlgName()).isEqualTo("SHA256withRSA");
    assertThat(intermediate.getPublicKey().getAlgorithm()).isEqualTo("EC");
    assertThat(authorityKeyId(intermediate)).isEqualTo(subjectKeyId(root.certificate()));
    assertThat(Certificates.uriSans(intermediate)).containsExactly("spiffe://prod.example");
    // Cut short by the root's expiry rather than a year.
    assertThat(intermediate.getNotAfter().toInstant()).isEqualTo(T0.plus(Duration.ofDays(30)));
    TestPki.validate(issued.chain(), issued.trustBundle(), T0);
    TestPki.validate(issued.chain(), issued.trustBundle(), T0.plus(Duration.ofHours(23)));
    // Without the intermediate the leaf does not verify.
    assertThatThrownBy(
            () -> TestPki.validate(issued.chain().subList(0, 1), issued.trustBundle(), T0))
        .isInstanceOf(CertPathValidatorException.class);
  }

  @Test
  void userSuppliedEcRootInSec1AndPkcs8Forms(@TempDir Path dir) throws Exception {
    RootCa generated = RootCa.generate("cluster.local", clock);
    Files.writeString(dir.resolve("ca.crt"), generated.certificatePem());
    Files.writeString(dir.resolve("sec1.key"), sec1(generated));
    Files.writeString(dir.resolve("pkcs8.key"), generated.privateKeyPem());
    assertThat(Files.readString(dir.resolve("sec1.key"))).startsWith("-----BEGIN EC PRIVATE KEY");

    for (String keyFile : List.of("sec1.key", "pkcs8.key")) {
      RootCa loaded = RootCa.readPem(dir.resolve("ca.crt"), dir.resolve(keyFile));
      assertThat(loaded.certificate()).isEqualTo(generated.certificate());
      assertThat(loaded.trustDomain()).contains("cluster.local");
      IssuedCertificate issued =
          CertificateAuthority.withIntermediate(loaded, "cluster.local", clock).issue(WEB);
      TestPki.validate(issued.chain(), List.of(generated.certificate()), T0);
    }
  }

  @Test
  void leafLifetimeIsCutShortByTheIssuersExpiry() throws Exception {
    KeyPair pair = Certificates.newEcP256Key(TestPki.RANDOM);
    var root =
        TestPki.selfSigned(
            pair,
            new BasicConstraints(true),
            TestPki.caUsage(),
            T0.minusSeconds(60),
            T0.plus(Duration.ofHours(1)));
    CertificateAuthority ca =
        CertificateAuthority.issuingFromRoot(root.root(), "cluster.local", clock);
    assertThat(ca.issue(WEB).notAfter()).isEqualTo(T0.plus(Duration.ofHours(1)));
    clock.set(T0.plus(Duration.ofHours(1)));
    assertThatThrownBy(() -> ca.issue(WEB))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "CA certificate 'CN=Corp root,O=Example Corp' expired at "
                + T0.plus(Duration.ofHours(1)));
  }

  @Test
  void refusesIdentitiesOfAnotherTrustDomainAndTinyLifetimes() {
    CertificateAuthority ca = CertificateAuthority.generate("cluster.local", clock);
    assertThatThrownBy(() -> ca.issue(SpiffeId.of("other.local", "web")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "SPIFFE ID 'spiffe://other.local/service/web' is outside trust domain 'cluster.local'"
                + " of this CA");
    assertThatThrownBy(() -> ca.issue(WEB, Duration.ofMillis(500)))
        .hasMessage("certificate lifetime PT0.5S is shorter than PT1S");
  }

  @Test
  void rejectsUnusableRoots() throws Exception {
    KeyPair pair = Certificates.newEcP256Key(TestPki.RANDOM);
    Instant from = T0.minusSeconds(60);
    Instant to = T0.plus(Duration.ofDays(1));

    var leafLike = TestPki.selfSigned(pair, null, null, from, to);
    assertThatThrownBy(leafLike::root)
        .hasMessage(
            "certificate 'CN=Corp root,O=Example Corp' is not a CA certificate (basicConstraints"
                + " CA:true is missing)");

    var noCertSign =
        TestPki.selfSigned(
            pair, new BasicConstraints(true), new KeyUsage(KeyUsage.digitalSignature), from, to);
    assertThatThrownBy(noCertSign::root)
        .hasMessage(
            "certificate 'CN=Corp root,O=Example Corp' has a key usage without keyCertSign");

    var good = TestPki.selfSigned(pair, new BasicConstraints(true), TestPki.caUsage(), from, to);
    KeyPair otherKey = Certificates.newEcP256Key(TestPki.RANDOM);
    assertThatThrownBy(() -> new RootCa(good.certificate(), otherKey.getPrivate()))
        .hasMessage("the private key does not belong to certificate 'CN=Corp root,O=Example Corp'");

    var pathLenZero =
        TestPki.selfSigned(pair, new BasicConstraints(0), TestPki.caUsage(), from, to);
    assertThatThrownBy(
            () -> CertificateAuthority.withIntermediate(pathLenZero.root(), "cluster.local", clock))
        .isInstanceOf(CaException.class)
        .hasMessage(
            "CA certificate 'CN=Corp root,O=Example Corp' has pathLenConstraint 0, so it cannot"
                + " sign the intermediate CA Trellis issues from");
    // It can still issue leaves directly.
    IssuedCertificate direct =
        CertificateAuthority.issuingFromRoot(pathLenZero.root(), "cluster.local", clock).issue(WEB);
    TestPki.validate(direct.chain(), direct.trustBundle(), T0);

    clock.set(to.plusSeconds(1));
    assertThatThrownBy(
            () -> CertificateAuthority.withIntermediate(good.root(), "cluster.local", clock))
        .hasMessage("CA certificate 'CN=Corp root,O=Example Corp' expired at " + to);
    clock.set(from.minusSeconds(1));
    assertThatThrownBy(
            () -> CertificateAuthority.withIntermediate(good.root(), "cluster.local", clock))
        .hasMessage("CA certificate 'CN=Corp root,O=Example Corp' is not valid until " + from);
  }

  @Test
  void rejectsARootOfAnotherTrustDomain() {
    RootCa root = RootCa.generate("cluster.local", clock);
    assertThatThrownBy(() -> CertificateAuthority.withIntermediate(root, "prod.example", clock))
        .isInstanceOf(CaException.class)
        .hasMessage(
            "CA certificate 'CN=Trellis root CA,O=cluster.local' belongs to trust domain"
                + " 'cluster.local' (its URI SAN), not 'prod.example'");
    assertThatThrownBy(() -> CertificateAuthority.issuingFromRoot(root, "Bad", clock))
        .hasMessage(
            "trust domain 'Bad' has character 'B' at index 0; allowed are a-z, 0-9, '.', '-' and"
                + " '_'");
  }

  @Test
  void readPemNamesTheFileAndTheProblem(@TempDir Path dir) throws Exception {
    RootCa root = RootCa.generate("cluster.local", clock);
    Path crt = dir.resolve("ca.crt");
    Path key = dir.resolve("ca.key");
    Files.writeString(crt, root.certificatePem());
    Files.writeString(key, root.privateKeyPem());

    Path missing = dir.resolve("nope.crt");
    assertThatThrownBy(() -> RootCa.readPem(missing, key))
        .isInstanceOf(CaException.class)
        .hasMessage(missing + ": file not found");
    Path empty = Files.writeString(dir.resolve("empty.crt"), "not pem at all\n");
    assertThatThrownBy(() -> RootCa.readPem(empty, key))
        .hasMessage(
            empty + ": expected exactly one CA certificate, found 0 (no PEM CERTIFICATE block)");
    Path two =
        Files.writeString(dir.resolve("two.crt"), root.certificatePem() + root.certificatePem());
    assertThatThrownBy(() -> RootCa.readPem(two, key))
        .hasMessage(two + ": expected exactly one CA certificate, found 2");
    assertThatThrownBy(() -> RootCa.readPem(key, key))
        .hasMessage(key + ": expected PEM CERTIFICATE blocks, found PrivateKeyInfo");
    assertThatThrownBy(() -> RootCa.readPem(crt, crt))
        .hasMessage(crt + ": expected a PEM private key, found a certificate");
    assertThatThrownBy(() -> RootCa.readPem(crt, empty))
        .hasMessage(empty + ": expected a PEM private key, found no PEM block");
    Path broken =
        Files.writeString(
            dir.resolve("broken.crt"),
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    assertThatThrownBy(() -> RootCa.readPem(broken, key))
        .isInstanceOf(CaException.class)
        .hasMessageStartingWith(broken + ": malformed");
    Path otherKey =
        Files.writeString(
            dir.resolve("other.key"), RootCa.generate("cluster.local", clock).privateKeyPem());
    assertThatThrownBy(() -> RootCa.readPem(crt, otherKey))
        .hasMessage(
            crt
                + ", "
                + otherKey
                + ": the private key does not belong to certificate 'CN=Trellis root"
                + " CA,O=cluster.local'");
  }

  @Test
  void toStringNeverShowsTheKey() {
    IssuedCertificate issued = CertificateAuthority.generate("cluster.local", clock).issue(WEB);
    assertThat(issued.toString())
        .isEqualTo(
            "IssuedCertificate[spiffe://cluster.local/service/web, notAfter="
                + T0.plus(Duration.ofHours(24))
                + "]");
    assertThat(RootCa.generate("cluster.local", clock).toString())
        .isEqualTo("RootCa[CN=Trellis root CA,O=cluster.local]");
  }

  static byte[] subjectKeyId(X509Certificate cert) {
    return ASN1OctetString.getInstance(
            ASN1OctetString.getInstance(
                    cert.getExtensionValue(Extension.subjectKeyIdentifier.getId()))
                .getOctets())
        .getOctets();
  }

  static byte[] authorityKeyId(X509Certificate cert) throws Exception {
    return AuthorityKeyIdentifier.getInstance(
            JcaX509ExtensionUtils.parseExtensionValue(
                cert.getExtensionValue(Extension.authorityKeyIdentifier.getId())))
        .getKeyIdentifierOctets();
  }

  static List<X509Certificate> readCertificates(String pem) throws Exception {
    List<X509Certificate> out = new ArrayList<>();
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
        out.add(new JcaX509CertificateConverter().getCertificate((X509CertificateHolder) o));
      }
    }
    return out;
  }

  /** The key as {@code openssl ec} writes it: SEC1 with the curve and public key. */
  static String sec1(RootCa root) throws Exception {
    var ecKey = (ECPrivateKey) root.key();
    var publicKey =
        SubjectPublicKeyInfo.getInstance(root.certificate().getPublicKey().getEncoded())
            .getPublicKeyData();
    var sec1 =
        new org.bouncycastle.asn1.sec.ECPrivateKey(
            256, ecKey.getS(), publicKey, X9ObjectIdentifiers.prime256v1);
    StringWriter out = new StringWriter();
    try (var writer = new PemWriter(out)) {
      writer.writeObject(new PemObject("EC PRIVATE KEY", sec1.getEncoded()));
    }
    return out.toString();
  }

  /** PEM as BouncyCastle's default generator writes it (PKCS#1 for RSA keys). */
  static String pem(Object object) throws Exception {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(new JcaMiscPEMGenerator(object));
    }
    return out.toString();
  }
}
