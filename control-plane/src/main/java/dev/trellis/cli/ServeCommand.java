package dev.trellis.cli;

import dev.trellis.analyze.lint.RenderLimitOptions;
import dev.trellis.mtls.CaException;
import dev.trellis.mtls.CertificateAuthority;
import dev.trellis.mtls.PemFiles;
import dev.trellis.mtls.RootCa;
import dev.trellis.render.DiscoveredEndpoints;
import dev.trellis.serve.ControlPlane;
import dev.trellis.serve.DefinitionsReloader;
import dev.trellis.source.GitSource;
import dev.trellis.source.KubernetesEndpoints;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jgit.lib.ObjectId;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code trellis serve}: serves a definitions directory over ADS and reloads it on change until
 * SIGTERM.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description =
        "Serve a definitions directory to proxies over xDS (ADS), reloading it when files change."
            + " Invalid definitions keep the last good config; see the admin API's /debug/errors.")
public final class ServeCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--defs",
      paramLabel = "DIR",
      description = "definitions directory (mesh.yaml, services/, templates/)")
  Path defs;

  @Option(
      names = "--git",
      paramLabel = "REPO",
      description =
          "serve the definitions of a Git repository (a URL or a local path) at --ref instead of a"
              + " directory, fetching every --git-poll")
  String git;

  @Option(
      names = "--ref",
      paramLabel = "REF",
      defaultValue = "main",
      description = "with --git: the branch, tag or commit to serve (default: ${DEFAULT-VALUE})")
  String ref;

  @Option(
      names = "--git-path",
      paramLabel = "PATH",
      defaultValue = "",
      description =
          "with --git: the definitions directory inside the repository (default: its top)")
  String gitPath;

  @Option(
      names = "--git-poll",
      paramLabel = "DURATION",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description = "with --git: how often to fetch (default: ${DEFAULT-VALUE})")
  Duration gitPoll;

  @Option(
      names = "--git-dir",
      paramLabel = "DIR",
      description =
          "with --git: where the clone and the checked-out definitions are kept (default: a new"
              + " temporary directory)")
  Path gitDir;

  @Option(
      names = "--xds-port",
      defaultValue = "18000",
      description = "xDS (gRPC) port; 0 picks a free one (default: ${DEFAULT-VALUE})")
  int xdsPort;

  @Option(
      names = "--admin-port",
      defaultValue = "9901",
      description = "admin HTTP port; 0 picks a free one (default: ${DEFAULT-VALUE})")
  int adminPort;

  @Option(
      names = "--bind",
      defaultValue = "0.0.0.0",
      paramLabel = "ADDRESS",
      description = "address both servers listen on (default: ${DEFAULT-VALUE})")
  String bind;

  // An editor's save (write a temporary file, rename it) or a checkout of a few files raises its
  // file events within a few milliseconds; 100 ms of quiet coalesces those into one reload while
  // leaving most of a one-second change-to-proxy budget to reload and push.
  @Option(
      names = "--debounce-ms",
      defaultValue = "100",
      description = "reload once files have been quiet this long (default: ${DEFAULT-VALUE})")
  long debounceMs;

  @Option(
      names = "--kubernetes",
      description =
          "discover the instances of services whose definitions name a Kubernetes Service"
              + " (endpoints: kubernetes: {namespace, service}) from its EndpointSlices, with the"
              + " cluster access of kubectl (KUBECONFIG, ~/.kube/config) or of the pod")
  boolean kubernetes;

  @Option(
      names = "--ca-dir",
      paramLabel = "DIR",
      description =
          "mesh CA root (ca.crt, ca.key, as 'trellis certs init' writes): proxies' certificates come"
              + " from an intermediate under it, so files from 'trellis certs issue --ca-dir DIR'"
              + " are trusted too; without it a root is generated for the mesh's trust domain")
  Path caDir;

  @Option(
      names = "--cert-lifetime",
      paramLabel = "DURATION",
      defaultValue = "24h",
      converter = DurationConverter.class,
      description = "lifetime of proxies' certificates, renewed at 2/3 (default: ${DEFAULT-VALUE})")
  Duration certLifetime;

  @Option(
      names = "--ads-tls",
      description =
          "serve xDS over TLS (needs --ca-dir): proxies must present a mesh certificate whose SPIFFE"
              + " identity is the group they ask for")
  boolean adsTls;

  @CommandLine.Mixin RenderLimitOptions renderLimits = new RenderLimitOptions();

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if ((defs == null) == (git == null)) {
      err.println("trellis: give either --defs DIR or --git REPO");
      return TrellisCli.EXIT_USAGE;
    }
    GitSource gitSource = null;
    if (git != null) {
      try {
        Path dir = gitDir != null ? gitDir : Files.createTempDirectory("trellis-git");
        defs = dir.resolve("definitions");
        gitSource = new GitSource(git, ref, gitPath, dir.resolve("clone.git"), defs);
        ObjectId commit = gitSource.sync().orElseThrow();
        out.printf("trellis: %s at %s is commit %s%n", git, ref, commit.name());
      } catch (GitSource.GitSourceException | IOException e) {
        err.println("trellis: --git " + git + ": " + e.getMessage());
        return TrellisCli.EXIT_INVALID;
      }
    } else if (!Files.isDirectory(defs)) {
      err.println("trellis: --defs " + defs + " is not a directory");
      return TrellisCli.EXIT_USAGE;
    }
    ControlPlane.Options options =
        new ControlPlane.Options(
            new InetSocketAddress(bind, xdsPort),
            new InetSocketAddress(bind, adminPort),
            Duration.ZERO,
            Optional.empty(),
            certLifetime,
            false);
    if (adsTls && caDir == null) {
      err.println("trellis: --ads-tls needs --ca-dir (the trust domain must be known at start)");
      return TrellisCli.EXIT_USAGE;
    }
    if (caDir != null) {
      try {
        RootCa root = PemFiles.readRoot(caDir);
        String td = root.trustDomain().orElse(CertsCommand.DEFAULT_TRUST_DOMAIN);
        options =
            options.withCa(
                CertificateAuthority.withIntermediate(root, td, Clock.systemUTC()), certLifetime);
      } catch (CaException e) {
        err.println("trellis: --ca-dir " + caDir + ": " + e.getMessage());
        return TrellisCli.EXIT_INVALID;
      }
      if (adsTls) {
        options = options.withAdsTls();
      }
    }
    ControlPlane controlPlane;
    try {
      controlPlane = ControlPlane.start(options);
    } catch (IOException e) {
      err.println("trellis: cannot listen on " + bind + ": " + e.getMessage());
      return TrellisCli.EXIT_USAGE;
    }
    controlPlane.closeOnShutdown();
    AtomicReference<DefinitionsReloader> reloads = new AtomicReference<>();
    KubernetesClient kube = kubernetes ? new KubernetesClientBuilder().build() : null;
    KubernetesEndpoints discovered =
        kube != null ? new KubernetesEndpoints(kube, () -> reloads.get().endpointsChanged()) : null;
    try (DefinitionsReloader reloader =
        discovered == null
            ? new DefinitionsReloader(
                defs, controlPlane, DiscoveredEndpoints.NONE, mesh -> {}, renderLimits.limits())
            : new DefinitionsReloader(
                defs, controlPlane, discovered, discovered::watch, renderLimits.limits())) {
      reloads.set(reloader);
      // Out of memory in a reload: end the process (the JVM's -XX:+ExitOnOutOfMemoryError does
      // the same) so that a supervisor restarts it, rather than serve on half-broken.
      reloader.onFatal(
          e -> {
            try {
              err.println("trellis: fatal error while reloading " + defs + ": " + e);
              err.flush();
            } finally {
              System.exit(TrellisCli.EXIT_FATAL);
            }
          });
      out.printf(
          "trellis: serving %s; xDS on %s:%d, admin on %s:%d%n",
          defs, bind, controlPlane.xdsPort(), bind, controlPlane.adminPort());
      out.flush();
      if (reloader.reload().isEmpty()) {
        err.println(
            "trellis: the definitions are invalid; not ready until they are fixed:\n"
                + controlPlane.reloads().current().orElseThrow().message());
        err.flush();
      }
      if (gitSource != null) {
        follow(gitSource, reloader, err);
      } else {
        reloader.watch(Duration.ofMillis(debounceMs));
      }
      controlPlane.awaitClosed();
    } catch (IOException e) {
      err.println("trellis: cannot watch " + defs + ": " + e.getMessage());
      controlPlane.close();
      return TrellisCli.EXIT_USAGE;
    } finally {
      if (discovered != null) {
        discovered.close();
        kube.close();
      }
    }
    return 0;
  }

  /** Fetches every --git-poll and reloads when the ref moved; a failed fetch keeps serving. */
  private void follow(GitSource source, DefinitionsReloader reloader, PrintWriter err) {
    ScheduledExecutorService poller =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "trellis-git-poll");
              t.setDaemon(true);
              return t;
            });
    poller.scheduleWithFixedDelay(
        () -> {
          try {
            if (source.sync().isPresent()) {
              reloader.reloadLogged();
            }
          } catch (GitSource.GitSourceException | IOException | RuntimeException e) {
            err.println(
                "trellis: --git "
                    + git
                    + ": "
                    + e.getMessage()
                    + "; still serving the last good commit");
            err.flush();
          }
        },
        gitPoll.toMillis(),
        gitPoll.toMillis(),
        TimeUnit.MILLISECONDS);
  }
}
