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
      description = "address the xDS server listens on (default: ${DEFAULT-VALUE})")
  String bind;

  // The admin API is unauthenticated and shows every group's config: loopback unless asked.
  @Option(
      names = "--admin-bind",
      defaultValue = "127.0.0.1",
      paramLabel = "ADDRESS",
      description =
          "address the admin HTTP API listens on; it has no authentication, so expose it only to"
              + " trusted networks (default: ${DEFAULT-VALUE})")
  String adminBind;

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
              + " are trusted too (default: "
              + DefaultCaDir.DESCRIPTION
              + ", when it holds a root; else a root is generated for the mesh's trust domain)")
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

  @Option(
      names = "--insecure-sds",
      description =
          "INSECURE, for local experiments: send each group's private key over SDS to any client"
              + " that names the group, even on a stream that did not authenticate (by default"
              + " only --ads-tls or --auth-kubernetes-tokens streams get their own key)")
  boolean insecureSds;

  @Option(
      names = "--auth-kubernetes-tokens",
      description =
          "let proxies authenticate with their Kubernetes service-account token (gRPC metadata"
              + " 'authorization: Bearer TOKEN'), checked with the TokenReview API with the"
              + " cluster access of kubectl or of the pod; service account SA stands for service"
              + " SA")
  boolean kubernetesTokens;

  @Option(
      names = "--token-audience",
      paramLabel = "AUDIENCE",
      description = "with --auth-kubernetes-tokens: the audience tokens must be issued for")
  String tokenAudience;

  @CommandLine.Mixin RenderLimitOptions renderLimits = new RenderLimitOptions();

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if ((defs == null) == (git == null)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "give either --defs DIR or --git REPO");
    }
    GitSource gitSource = null;
    if (git != null) {
      try {
        gitSource =
            gitDir != null
                ? new GitSource(
                    git, ref, gitPath, gitDir.resolve("clone.git"), gitDir.resolve("definitions"))
                : GitSource.inTemporaryDirectory(git, ref, gitPath);
        defs = gitSource.checkout();
        ObjectId commit = gitSource.sync().orElseThrow();
        closeOnShutdown(gitSource);
        out.printf("trellis: %s at %s is commit %s%n", git, ref, commit.name());
      } catch (GitSource.GitSourceException | IOException e) {
        err.println("trellis: --git " + git + ": " + e.getMessage());
        closeQuietly(gitSource);
        return TrellisCli.EXIT_INVALID;
      }
    } else if (!Files.isDirectory(defs)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--defs " + defs + " is not a directory");
    }
    ControlPlane.Options options =
        new ControlPlane.Options(
            new InetSocketAddress(bind, xdsPort),
            new InetSocketAddress(adminBind, adminPort),
            Duration.ZERO,
            Optional.empty(),
            certLifetime,
            false);
    if (caDir == null) {
      caDir = DefaultCaDir.withRoot().orElse(null);
      if (caDir != null) {
        out.println("trellis: mesh CA root from " + caDir + " (the default --ca-dir)");
      }
    }
    if (adsTls && caDir == null) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--ads-tls needs --ca-dir (the trust domain must be known at start)");
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
    if (insecureSds) {
      err.println(
          "trellis: WARNING: --insecure-sds: any client naming a group gets its private key");
      err.flush();
      options = options.withInsecureSds();
    }
    KubernetesClient kube =
        kubernetes || kubernetesTokens ? new KubernetesClientBuilder().build() : null;
    if (kubernetesTokens) {
      options = options.withKubernetesTokens(kube, Optional.ofNullable(tokenAudience));
    }
    ControlPlane controlPlane;
    try {
      controlPlane = ControlPlane.start(options);
    } catch (IOException e) {
      if (kube != null) {
        kube.close();
      }
      err.println(
          "trellis: cannot listen on "
              + bind
              + ":"
              + xdsPort
              + " (xDS) or "
              + adminBind
              + ":"
              + adminPort
              + " (admin): "
              + e.getMessage());
      return TrellisCli.EXIT_USAGE;
    }
    controlPlane.closeOnShutdown();
    AtomicReference<DefinitionsReloader> reloads = new AtomicReference<>();
    KubernetesEndpoints discovered =
        kubernetes ? new KubernetesEndpoints(kube, () -> reloads.get().endpointsChanged()) : null;
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
          defs, bind, controlPlane.xdsPort(), adminBind, controlPlane.adminPort());
      out.flush();
      // Watch before the first load: an edit made while it runs is then reloaded, not lost.
      if (gitSource == null) {
        reloader.watch(Duration.ofMillis(debounceMs));
      }
      if (reloader.reload().isEmpty()) {
        err.println(
            "trellis: the definitions are invalid; not ready until they are fixed:\n"
                + controlPlane.reloads().current().orElseThrow().message());
        err.flush();
      }
      if (gitSource != null) {
        follow(gitSource, reloader, err);
      }
      controlPlane.awaitClosed();
    } catch (IOException e) {
      err.println("trellis: cannot watch " + defs + ": " + e.getMessage());
      controlPlane.close();
      return TrellisCli.EXIT_USAGE;
    } finally {
      if (discovered != null) {
        discovered.close();
      }
      if (kube != null) {
        kube.close();
      }
    }
    return 0;
  }

  /** Removes a temporary clone at SIGTERM too: shutdown hooks are all that run then. */
  private static void closeOnShutdown(GitSource source) {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> closeQuietly(source), "trellis-git-cleanup"));
  }

  private static void closeQuietly(GitSource source) {
    if (source == null) {
      return;
    }
    try {
      source.close();
    } catch (IOException e) {
      // Best effort: a leftover temporary directory is no reason to fail.
    }
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
