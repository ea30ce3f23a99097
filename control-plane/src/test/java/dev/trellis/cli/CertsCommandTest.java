package dev.trellis.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CertsCommandTest {

  private static final String SAMPLE = Path.of("..", "samples", "mesh").toString();

  @TempDir Path tmp;
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  int run(String... args) {
    CommandLine cl = TrellisCli.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  @Test
  void issueWritesFilesGrpcFileWatcherReads() throws Exception {
    Path ca = tmp.resolve("ca");
    Path web = tmp.resolve("web");
    int code =
        run(
            "certs",
            "issue",
            "--service",
            "web",
            "--out",
            web.toString(),
            "--ca-dir",
            ca.toString(),
            "--lifetime",
            "2h");

    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString())
        .contains("created CA root for trust domain 'cluster.local' in " + ca)
        .contains("issued spiffe://cluster.local/service/web, valid until ");
    assertThat(ca.resolve("ca.crt")).exists();
    assertThat(Files.getPosixFilePermissions(ca.resolve("ca.key")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.getPosixFilePermissions(web.resolve("key.pem")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.getPosixFilePermissions(web.resolve("cert.pem")))
        .isEqualTo(PosixFilePermissions.fromString("rw-r--r--"));
    try (var files = Files.list(web)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("key.pem", "cert.pem", "ca.pem");
    }

    List<X509Certificate> chain = readCertificates(web.resolve("cert.pem"));
    List<X509Certificate> bundle = readCertificates(web.resolve("ca.pem"));
    assertThat(chain).hasSize(2);
    assertThat(bundle).isEqualTo(readCertificates(ca.resolve("ca.crt")));
    assertThat(chain.get(0).getSubjectAlternativeNames())
        .containsExactly(List.of(6, "spiffe://cluster.local/service/web"));
    Instant notAfter = chain.get(0).getNotAfter().toInstant();
    assertThat(Duration.between(Instant.now(), notAfter))
        .isBetween(Duration.ofMinutes(100), Duration.ofHours(2));
    validate(chain, bundle);

    assertThat(Files.readString(web.resolve("key.pem"))).startsWith("-----BEGIN PRIVATE KEY-----");
    PrivateKey key = readKey(web.resolve("key.pem"));
    assertThat(key.getAlgorithm()).isEqualTo("EC");
  }

  @Test
  void repeatedIssuesShareTheCaRootAndItsTrustDomain() throws Exception {
    Path ca = tmp.resolve("ca");
    assertThat(run("certs", "init", "--ca-dir", ca.toString(), "--trust-domain", "prod.example"))
        .as(err.toString())
        .isZero();
    assertThat(out.toString())
        .startsWith("created CA root for trust domain 'prod.example' in " + ca);
    String root = Files.readString(ca.resolve("ca.crt"));

    for (String service : List.of("web", "api")) {
      assertThat(
              run(
                  "certs",
                  "issue",
                  "--service",
                  service,
                  "--out",
                  tmp.resolve(service).toString(),
                  "--ca-dir",
                  ca.toString()))
          .as(err.toString())
          .isZero();
    }
    assertThat(Files.readString(ca.resolve("ca.crt"))).isEqualTo(root);
    assertThat(Files.readString(tmp.resolve("web/ca.pem"))).isEqualTo(root);
    assertThat(Files.readString(tmp.resolve("api/ca.pem"))).isEqualTo(root);
    List<X509Certificate> bundle = readCertificates(ca.resolve("ca.crt"));
    for (String service : List.of("web", "api")) {
      List<X509Certificate> chain = readCertificates(tmp.resolve(service).resolve("cert.pem"));
      validate(chain, bundle);
      assertThat(chain.get(0).getSubjectAlternativeNames())
          .containsExactly(List.of(6, "spiffe://prod.example/service/" + service));
    }
    // The root names its trust domain; asking for another one is refused.
    assertThat(
            run(
                "certs",
                "issue",
                "--service",
                "web",
                "--out",
                tmp.resolve("x").toString(),
                "--ca-dir",
                ca.toString(),
                "--trust-domain",
                "cluster.local"))
        .isEqualTo(1);
    assertThat(err.toString())
        .contains(
            "trellis: "
                + ca.resolve("ca.crt")
                + ": CA certificate 'CN=Trellis root CA,O=prod.example' belongs to trust domain"
                + " 'prod.example' (its URI SAN), not 'cluster.local'");
  }

  @Test
  void renewRewritesTheFilesBeforeTheCertificateExpiresUntilStopped() throws Exception {
    Path ca = tmp.resolve("ca");
    Path web = tmp.resolve("web");
    AtomicInteger exit = new AtomicInteger(-1);
    Thread renewing =
        new Thread(
            () ->
                exit.set(
                    run(
                        "certs",
                        "issue",
                        "--service",
                        "web",
                        "--out",
                        web.toString(),
                        "--ca-dir",
                        ca.toString(),
                        "--lifetime",
                        "3s",
                        "--renew")));
    renewing.start();
    try {
      await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(web.resolve("ca.pem")));
      X509Certificate first = readCertificates(web.resolve("cert.pem")).get(0);

      // Renewed at two thirds of the 3 s lifetime, so before the first one expires.
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  !readCertificates(web.resolve("cert.pem"))
                      .get(0)
                      .getSerialNumber()
                      .equals(first.getSerialNumber()));
      assertThat(Instant.now()).isBefore(first.getNotAfter().toInstant());
      List<X509Certificate> renewed = readCertificates(web.resolve("cert.pem"));
      validate(renewed, readCertificates(ca.resolve("ca.crt")));
      Signature signer = Signature.getInstance("SHA256withECDSA");
      signer.initSign(readKey(web.resolve("key.pem")));
      signer.update(new byte[] {1, 2, 3});
      Signature verifier = Signature.getInstance("SHA256withECDSA");
      verifier.initVerify(renewed.get(0).getPublicKey());
      verifier.update(new byte[] {1, 2, 3});
      assertThat(verifier.verify(signer.sign()))
          .as("the new key matches the new certificate")
          .isTrue();
    } finally {
      renewing.interrupt();
      renewing.join(Duration.ofSeconds(10).toMillis());
    }
    assertThat(renewing.isAlive()).isFalse();
    assertThat(exit.get()).as(err.toString()).isZero();
    assertThat(
            out.toString()
                .lines()
                .filter(l -> l.startsWith("issued spiffe://cluster.local/service/web")))
        .hasSizeGreaterThanOrEqualTo(2);
  }

  @Test
  void initTakesTheTrustDomainOfTheMesh() throws Exception {
    Path ca = tmp.resolve("ca");
    assertThat(run("certs", "init", "--defs", SAMPLE, "--ca-dir", ca.toString()))
        .as(err::toString)
        .isZero();
    assertThat(out.toString())
        .startsWith("created CA root for trust domain 'shop.example.internal' in " + ca);

    err.getBuffer().setLength(0);
    assertThat(
            run(
                "certs",
                "init",
                "--defs",
                SAMPLE,
                "--trust-domain",
                "other.example",
                "--ca-dir",
                tmp.resolve("ca2").toString()))
        .isEqualTo(TrellisCli.EXIT_INVALID);
    assertThat(err.toString())
        .isEqualTo(
            "trellis: --trust-domain 'other.example' is not the trust domain of the mesh in "
                + SAMPLE
                + " ('shop.example.internal'); give one of them\n");
    assertThat(tmp.resolve("ca2")).doesNotExist();
  }

  @Test
  void theDefaultCaDirectoryFollowsXdg() {
    assertThat(DefaultCaDir.of(Map.of("XDG_DATA_HOME", "/data"), "/home/u"))
        .isEqualTo(Path.of("/data/trellis/ca"));
    assertThat(DefaultCaDir.of(Map.of(), "/home/u"))
        .isEqualTo(Path.of("/home/u/.local/share/trellis/ca"));
    assertThat(DefaultCaDir.of(Map.of("XDG_DATA_HOME", "relative"), "/home/u"))
        .as("the XDG specification ignores relative paths")
        .isEqualTo(Path.of("/home/u/.local/share/trellis/ca"));
    CommandLine cl = TrellisCli.commandLine();
    for (CommandLine command :
        List.of(
            cl.getSubcommands().get("certs").getSubcommands().get("init"),
            cl.getSubcommands().get("certs").getSubcommands().get("issue"),
            cl.getSubcommands().get("serve"))) {
      assertThat(command.getCommandSpec().findOption("--ca-dir").description()[0])
          .as(command.getCommandName() + " --help")
          .contains("default: $XDG_DATA_HOME/trellis/ca, else ~/.local/share/trellis/ca");
    }
  }

  /** Runs {@code trellis ARGS} in a child JVM whose XDG_DATA_HOME is {@code dataHome}. */
  private static String trellis(Path dataHome, String... args) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "dev.trellis.cli.TrellisCli"));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("XDG_DATA_HOME", dataHome.toString());
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(2, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("trellis " + List.of(args) + " did not finish");
    }
    assertThat(p.exitValue()).as(output).isZero();
    return output;
  }

  @Test
  void withoutCaDirTwoServicesIssuedOneAfterTheOtherChainToTheSameRoot() throws Exception {
    Path data = tmp.resolve("data");
    Path ca = data.resolve("trellis/ca");

    assertThat(trellis(data, "certs", "init", "--defs", SAMPLE))
        .startsWith("created CA root for trust domain 'shop.example.internal' in " + ca);
    trellis(data, "certs", "issue", "--service", "web", "--out", tmp.resolve("web").toString());
    trellis(data, "certs", "issue", "--service", "api", "--out", tmp.resolve("api").toString());

    List<X509Certificate> root = readCertificates(ca.resolve("ca.crt"));
    for (String service : List.of("web", "api")) {
      List<X509Certificate> chain = readCertificates(tmp.resolve(service).resolve("cert.pem"));
      validate(chain, root);
      assertThat(readCertificates(tmp.resolve(service).resolve("ca.pem"))).isEqualTo(root);
      assertThat(chain.get(0).getSubjectAlternativeNames())
          .containsExactly(List.of(6, "spiffe://shop.example.internal/service/" + service));
    }
  }

  @Test
  void invalidInputExitsOneWithAClearMessage() throws Exception {
    String outDir = tmp.resolve("o").toString();
    assertThat(run("certs", "issue", "--service", "Web_1", "--out", outDir)).isEqualTo(1);
    assertThat(err.toString())
        .isEqualTo(
            "trellis: invalid --service: service name 'Web_1' is not a DNS label (1 to 63"
                + " lowercase letters, digits and '-', starting and ending with a letter or digit)"
                + System.lineSeparator());
    assertThat(tmp.resolve("o")).doesNotExist();

    err.getBuffer().setLength(0);
    assertThat(
            run("certs", "issue", "--service", "web", "--out", outDir, "--trust-domain", "Bad:1"))
        .isEqualTo(1);
    assertThat(err.toString())
        .startsWith(
            "trellis: invalid --trust-domain: trust domain 'Bad:1' has character 'B' at index 0");

    Path ca = tmp.resolve("ca");
    assertThat(run("certs", "init", "--ca-dir", ca.toString())).isZero();
    err.getBuffer().setLength(0);
    assertThat(run("certs", "init", "--ca-dir", ca.toString())).isEqualTo(1);
    assertThat(err.toString())
        .isEqualTo(
            "trellis: "
                + ca.resolve("ca.crt")
                + " already exists; refusing to replace a CA root"
                + System.lineSeparator());

    Files.delete(ca.resolve("ca.key"));
    err.getBuffer().setLength(0);
    assertThat(
            run("certs", "issue", "--service", "web", "--out", outDir, "--ca-dir", ca.toString()))
        .isEqualTo(1);
    assertThat(err.toString())
        .isEqualTo("trellis: " + ca + " has ca.crt but no ca.key" + System.lineSeparator());

    Files.writeString(ca.resolve("ca.key"), "garbage\n");
    err.getBuffer().setLength(0);
    assertThat(
            run("certs", "issue", "--service", "web", "--out", outDir, "--ca-dir", ca.toString()))
        .isEqualTo(1);
    assertThat(err.toString())
        .isEqualTo(
            "trellis: "
                + ca.resolve("ca.key")
                + ": expected a PEM private key, found no PEM block"
                + System.lineSeparator());

    Path file = Files.writeString(tmp.resolve("plain-file"), "x");
    err.getBuffer().setLength(0);
    assertThat(
            run(
                "certs",
                "issue",
                "--service",
                "web",
                "--out",
                file.toString(),
                "--ca-dir",
                tmp.resolve("ca-of-plain-file").toString()))
        .isEqualTo(1);
    assertThat(err.toString()).contains("trellis: cannot write the certificate to " + file + ": ");
    assertThat(err.toString()).doesNotContain("\tat ");
  }

  @Test
  void usageErrorsExitTwo() {
    assertThat(run("certs")).isEqualTo(2);
    assertThat(err.toString()).contains("trellis: a subcommand is required (init or issue)");
    err.getBuffer().setLength(0);
    assertThat(run("certs", "issue", "--out", tmp.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("Missing required option: '--service=NAME'");
    err.getBuffer().setLength(0);
    assertThat(
            run(
                "certs",
                "issue",
                "--service",
                "web",
                "--out",
                tmp.toString(),
                "--lifetime",
                "1 day"))
        .isEqualTo(2);
    assertThat(err.toString())
        .contains("invalid duration '1 day': use e.g. 24h, 90m, 3600s, 1d12h or PT24H");
    err.getBuffer().setLength(0);
    assertThat(
            run("certs", "issue", "--service", "web", "--out", tmp.toString(), "--lifetime", "0h"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("duration '0h' must be positive");
  }

  @Test
  void durationsParse() {
    DurationConverter c = new DurationConverter();
    assertThat(c.convert("24h")).isEqualTo(Duration.ofHours(24));
    assertThat(c.convert("90m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(c.convert("3600s")).isEqualTo(Duration.ofHours(1));
    assertThat(c.convert("1d12h")).isEqualTo(Duration.ofHours(36));
    assertThat(c.convert("PT24H")).isEqualTo(Duration.ofHours(24));
  }

  static List<X509Certificate> readCertificates(Path file) throws Exception {
    List<X509Certificate> out = new ArrayList<>();
    try (Reader reader = Files.newBufferedReader(file);
        PEMParser parser = new PEMParser(reader)) {
      for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
        out.add(new JcaX509CertificateConverter().getCertificate((X509CertificateHolder) o));
      }
    }
    return out;
  }

  static PrivateKey readKey(Path file) throws Exception {
    try (Reader reader = Files.newBufferedReader(file);
        PEMParser parser = new PEMParser(reader)) {
      return new JcaPEMKeyConverter().getPrivateKey((PrivateKeyInfo) parser.readObject());
    }
  }

  static void validate(List<X509Certificate> chain, List<X509Certificate> roots) throws Exception {
    PKIXParameters params =
        new PKIXParameters(Set.copyOf(roots.stream().map(r -> new TrustAnchor(r, null)).toList()));
    params.setRevocationEnabled(false);
    CertPathValidator.getInstance("PKIX")
        .validate(CertificateFactory.getInstance("X.509").generateCertPath(chain), params);
  }
}
