package dev.trellis.cli;

import dev.trellis.model.Mesh;
import dev.trellis.mtls.CaException;
import dev.trellis.mtls.CertificateAuthority;
import dev.trellis.mtls.CertificateStore;
import dev.trellis.mtls.IssuedCertificate;
import dev.trellis.mtls.PemFiles;
import dev.trellis.mtls.RootCa;
import dev.trellis.mtls.SpiffeId;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code trellis certs}: a mesh CA root, and SPIFFE workload certificates issued from it. */
@Command(
    name = "certs",
    mixinStandardHelpOptions = true,
    description = "Create a mesh CA root and issue SPIFFE workload certificates.",
    subcommands = {CertsCommand.Init.class, CertsCommand.Issue.class})
public final class CertsCommand implements Runnable {

  static final String DEFAULT_TRUST_DOMAIN = "cluster.local";

  private static final String CA_DIR =
      "CA directory with ca.crt and ca.key (default: " + DefaultCaDir.DESCRIPTION + ")";
  private static final String DEFS =
      "definitions whose mesh.yaml names the trust domain (trustDomain:)";
  private static final String TRUST_DOMAIN =
      "SPIFFE trust domain (default: the mesh's with --defs, else " + DEFAULT_TRUST_DOMAIN + ")";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "a subcommand is required (init or issue)");
  }

  @Command(
      name = "init",
      mixinStandardHelpOptions = true,
      description = {
        "Create a self-signed ECDSA P-256 root (ca.crt, ca.key) in --ca-dir, for the trust domain"
            + " of the mesh in --defs.",
        "'certs issue' and 'serve' find it there without --ca-dir when it is in the default"
            + " place."
      })
  static final class Init implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--ca-dir", paramLabel = "DIR", description = CA_DIR)
    Path caDir;

    @Option(names = "--defs", paramLabel = "DIR", description = DEFS)
    Path defs;

    @Option(names = "--trust-domain", paramLabel = "TD", description = TRUST_DOMAIN)
    String trustDomain;

    @Override
    public Integer call() {
      PrintWriter err = spec.commandLine().getErr();
      Optional<String> resolved = trustDomain(spec, trustDomain, defs);
      if (resolved.isEmpty()) {
        return TrellisCli.EXIT_INVALID;
      }
      String td = resolved.get().isEmpty() ? DEFAULT_TRUST_DOMAIN : resolved.get();
      Path dir = caDir != null ? caDir : DefaultCaDir.get();
      for (String name : new String[] {PemFiles.ROOT_CERT, PemFiles.ROOT_KEY}) {
        if (Files.exists(dir.resolve(name))) {
          return invalid(err, dir.resolve(name) + " already exists; refusing to replace a CA root");
        }
      }
      RootCa root = RootCa.generate(td, Clock.systemUTC());
      try {
        PemFiles.writeRoot(root, dir);
      } catch (IOException e) {
        return invalid(err, "cannot write the CA root to " + dir + ": " + describe(e));
      }
      spec.commandLine()
          .getOut()
          .println(
              "created CA root for trust domain '"
                  + td
                  + "' in "
                  + dir
                  + " ("
                  + PemFiles.ROOT_CERT
                  + ", "
                  + PemFiles.ROOT_KEY
                  + "), valid until "
                  + root.certificate().getNotAfter().toInstant());
      return 0;
    }
  }

  @Command(
      name = "issue",
      mixinStandardHelpOptions = true,
      description = {
        "Issue a SPIFFE certificate spiffe://TD/service/NAME into --out as key.pem (PKCS#8),"
            + " cert.pem (chain) and ca.pem (trust bundle), the files grpc's file_watcher"
            + " certificate provider reads.",
        "The certificate is signed by an intermediate under the CA root kept in --ca-dir"
            + " (created if absent), so certificates issued one after the other trust each other.",
        "With --renew the command keeps running and rewrites the files with a new certificate"
            + " once two thirds of the lifetime have passed, until it is stopped: file_watcher"
            + " picks up each renewal without dropping connections."
      })
  static final class Issue implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--service", required = true, paramLabel = "NAME", description = "service")
    String service;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output dir")
    Path out;

    @Option(names = "--ca-dir", paramLabel = "DIR", description = CA_DIR)
    Path caDir;

    @Option(
        names = "--defs",
        paramLabel = "DIR",
        description = DEFS + "; must be the CA root's when it exists")
    Path defs;

    @Option(
        names = "--trust-domain",
        paramLabel = "TD",
        description =
            "SPIFFE trust domain (default: the mesh's with --defs, else the CA root's, else "
                + DEFAULT_TRUST_DOMAIN
                + ")")
    String trustDomain;

    @Option(
        names = "--lifetime",
        paramLabel = "DURATION",
        defaultValue = "24h",
        converter = DurationConverter.class,
        description = "certificate lifetime, e.g. 24h, 90m (default: ${DEFAULT-VALUE})")
    Duration lifetime;

    @Option(
        names = "--renew",
        description = "keep running and renew the certificate before it expires, until stopped")
    boolean renew;

    @Override
    public Integer call() {
      PrintWriter err = spec.commandLine().getErr();
      PrintWriter stdout = spec.commandLine().getOut();
      Clock clock = Clock.systemUTC();
      try {
        SpiffeId.of(DEFAULT_TRUST_DOMAIN, service); // the name's validity is independent of TD
      } catch (IllegalArgumentException e) {
        return invalid(err, "invalid --service: " + e.getMessage());
      }
      Optional<String> resolved = trustDomain(spec, trustDomain, defs);
      if (resolved.isEmpty()) {
        return TrellisCli.EXIT_INVALID;
      }
      String wanted = resolved.get().isEmpty() ? null : resolved.get();
      if (caDir == null) {
        caDir = DefaultCaDir.get();
      }
      CertificateAuthority ca;
      try {
        RootCa root = loadOrCreateRoot(wanted, clock, stdout);
        String td = wanted != null ? wanted : root.trustDomain().orElse(DEFAULT_TRUST_DOMAIN);
        try {
          ca = CertificateAuthority.withIntermediate(root, td, clock);
        } catch (CaException e) {
          throw new CaException(caDir.resolve(PemFiles.ROOT_CERT) + ": " + e.getMessage(), e);
        }
      } catch (CaException e) {
        return invalid(err, e.getMessage());
      } catch (IOException e) {
        return invalid(err, "cannot write the CA root to " + caDir + ": " + describe(e));
      }
      SpiffeId id = SpiffeId.of(ca.trustDomain(), service);
      if (renew) {
        return issueAndRenew(ca, id, clock, stdout, err);
      }
      IssuedCertificate issued;
      try {
        issued = ca.issue(id, lifetime);
      } catch (IllegalArgumentException | IllegalStateException e) {
        return invalid(err, e.getMessage());
      }
      try {
        PemFiles.writeWorkload(issued, out);
      } catch (IOException e) {
        return invalid(err, "cannot write the certificate to " + out + ": " + describe(e));
      }
      stdout.println(issuedLine(issued));
      return 0;
    }

    /**
     * Issues, then renews on the store's schedule until the thread is interrupted (SIGTERM ends the
     * JVM, which is as good). A renewal that cannot be written is reported and the files keep the
     * previous certificate, which stays valid for the last third of its lifetime.
     */
    private int issueAndRenew(
        CertificateAuthority ca, SpiffeId id, Clock clock, PrintWriter stdout, PrintWriter err) {
      ScheduledExecutorService timer =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "trellis-certs-renew");
                t.setDaemon(true);
                return t;
              });
      AtomicBoolean first = new AtomicBoolean(true);
      AtomicReference<String> firstFailure = new AtomicReference<>();
      CertificateStore.Listener write =
          issued -> {
            try {
              PemFiles.writeWorkload(issued, out);
              stdout.println(issuedLine(issued));
            } catch (IOException e) {
              String message = "cannot write the certificate to " + out + ": " + describe(e);
              if (first.get()) {
                firstFailure.set(message);
              } else {
                err.println("trellis: " + message + "; keeping the previous files");
              }
            }
            first.set(false);
          };
      try (CertificateStore store = new CertificateStore(ca, lifetime, clock, timer, write)) {
        try {
          store.certificateFor(id);
        } catch (IllegalArgumentException | IllegalStateException e) {
          return invalid(err, e.getMessage());
        }
        if (firstFailure.get() != null) {
          return invalid(err, firstFailure.get());
        }
        new CountDownLatch(1).await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        timer.shutdownNow();
      }
      return 0;
    }

    private String issuedLine(IssuedCertificate issued) {
      return "issued "
          + issued.id()
          + ", valid until "
          + issued.notAfter()
          + ": "
          + out.resolve(PemFiles.KEY)
          + ", "
          + out.resolve(PemFiles.CHAIN)
          + ", "
          + out.resolve(PemFiles.CA);
    }

    private RootCa loadOrCreateRoot(String wanted, Clock clock, PrintWriter stdout)
        throws CaException, IOException {
      boolean hasCert = Files.exists(caDir.resolve(PemFiles.ROOT_CERT));
      boolean hasKey = Files.exists(caDir.resolve(PemFiles.ROOT_KEY));
      if (hasCert && hasKey) {
        return PemFiles.readRoot(caDir);
      }
      if (hasCert || hasKey) {
        throw new CaException(
            caDir
                + " has "
                + (hasCert ? PemFiles.ROOT_CERT : PemFiles.ROOT_KEY)
                + " but no "
                + (hasCert ? PemFiles.ROOT_KEY : PemFiles.ROOT_CERT));
      }
      String td = wanted != null ? wanted : DEFAULT_TRUST_DOMAIN;
      RootCa root = RootCa.generate(td, clock);
      PemFiles.writeRoot(root, caDir);
      stdout.println("created CA root for trust domain '" + td + "' in " + caDir);
      return root;
    }
  }

  /**
   * The trust domain asked for: {@code --trust-domain}, else the mesh's in {@code --defs}; an empty
   * string when neither is given; empty after printing why when it is invalid, the definitions do
   * not load, or the two disagree.
   */
  static Optional<String> trustDomain(
      CommandLine.Model.CommandSpec spec, String explicit, Path defs) {
    PrintWriter err = spec.commandLine().getErr();
    if (explicit != null) {
      try {
        SpiffeId.requireValidTrustDomain(explicit);
      } catch (IllegalArgumentException e) {
        invalid(err, "invalid --trust-domain: " + e.getMessage());
        return Optional.empty();
      }
    }
    if (defs == null) {
      return Optional.of(explicit != null ? explicit : "");
    }
    Optional<Mesh> mesh = RolloutCommand.load(spec, defs);
    if (mesh.isEmpty()) {
      return Optional.empty();
    }
    String ofMesh = mesh.get().config().trustDomain();
    if (explicit != null && !explicit.equals(ofMesh)) {
      invalid(
          err,
          "--trust-domain '"
              + explicit
              + "' is not the trust domain of the mesh in "
              + defs
              + " ('"
              + ofMesh
              + "'); give one of them");
      return Optional.empty();
    }
    return Optional.of(ofMesh);
  }

  private static int invalid(PrintWriter err, String message) {
    err.println("trellis: " + message);
    return TrellisCli.EXIT_INVALID;
  }

  private static String describe(IOException e) {
    if (e instanceof AccessDeniedException a) {
      return "permission denied: " + a.getFile();
    }
    if (e instanceof FileAlreadyExistsException f) {
      return "not a directory: " + f.getFile();
    }
    if (e instanceof FileSystemException f) {
      return f.getFile() + (f.getReason() != null ? ": " + f.getReason() : "");
    }
    return String.valueOf(e.getMessage());
  }
}
