package dev.trellis.serve;

import dev.trellis.admin.AdminServer;
import dev.trellis.admin.AnalysisStatus;
import dev.trellis.admin.ReloadStatus;
import dev.trellis.analyze.AnalysisResult;
import dev.trellis.analyze.Finding;
import dev.trellis.model.MeshConfig;
import dev.trellis.mtls.CertificateAuthority;
import dev.trellis.mtls.MeshCertificates;
import dev.trellis.publish.PackedResources;
import dev.trellis.publish.PublishGate;
import dev.trellis.publish.PublishResult;
import dev.trellis.publish.PublishedGroup;
import dev.trellis.publish.SnapshotPublisher;
import dev.trellis.render.RenderedGroup;
import dev.trellis.render.RenderedMesh;
import dev.trellis.sli.MetricsSink;
import dev.trellis.sli.ProxySlis;
import dev.trellis.stream.NodeGroup;
import dev.trellis.stream.ServiceAccountTokens;
import dev.trellis.stream.XdsServer;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.grpc.ServerCredentials;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running control plane, wired in one place: the snapshot cache and publisher, the xDS server,
 * the admin API and the metrics registry. {@code trellis serve} loads and renders the definitions
 * and hands each rendered mesh to {@link #publish}, or a load error to {@link #reloads()}.
 */
public final class ControlPlane implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ControlPlane.class);

  /**
   * Where to listen, how long open xDS streams get to end on shutdown, and the mesh CA.
   *
   * @param ca the CA that issues proxies' certificates; empty generates a root for the trust domain
   *     of the first mesh published
   * @param certificateLifetime the lifetime of each proxy certificate (renewed at 2/3 of it)
   * @param adsTls serve xDS over TLS, requiring each proxy's certificate (needs {@code ca})
   * @param insecureSds send private keys over SDS to streams that did not authenticate (local
   *     experiments only: any client naming a group gets its key)
   * @param tokens authenticate streams by Kubernetes service-account token through this client
   */
  public record Options(
      InetSocketAddress xdsAddress,
      InetSocketAddress adminAddress,
      Duration shutdownGrace,
      Optional<CertificateAuthority> ca,
      Duration certificateLifetime,
      boolean adsTls,
      boolean insecureSds,
      Optional<ServiceAccountTokens.Settings> tokens) {

    public Options(
        InetSocketAddress xdsAddress,
        InetSocketAddress adminAddress,
        Duration shutdownGrace,
        Optional<CertificateAuthority> ca,
        Duration certificateLifetime,
        boolean adsTls) {
      this(
          xdsAddress,
          adminAddress,
          shutdownGrace,
          ca,
          certificateLifetime,
          adsTls,
          false,
          Optional.empty());
    }

    public Options(
        InetSocketAddress xdsAddress, InetSocketAddress adminAddress, Duration shutdownGrace) {
      this(
          xdsAddress,
          adminAddress,
          shutdownGrace,
          Optional.empty(),
          CertificateAuthority.DEFAULT_LEAF_LIFETIME,
          false);
    }

    /** These options with certificates issued by {@code ca}, each living {@code lifetime}. */
    public Options withCa(CertificateAuthority ca, Duration lifetime) {
      return new Options(
          xdsAddress,
          adminAddress,
          shutdownGrace,
          Optional.of(ca),
          lifetime,
          adsTls,
          insecureSds,
          tokens);
    }

    /**
     * These options with xDS served over TLS: a certificate from the CA, client certificates
     * required, and each proxy served only the group its SPIFFE identity stands for.
     */
    public Options withAdsTls() {
      return new Options(
          xdsAddress,
          adminAddress,
          shutdownGrace,
          ca,
          certificateLifetime,
          true,
          insecureSds,
          tokens);
    }

    /** These options with private keys sent to unauthenticated streams too (see insecureSds). */
    public Options withInsecureSds() {
      return new Options(
          xdsAddress, adminAddress, shutdownGrace, ca, certificateLifetime, adsTls, true, tokens);
    }

    /**
     * These options with streams authenticated by Kubernetes service-account tokens, reviewed
     * through {@code client} (for {@code audience}, if given).
     */
    public Options withKubernetesTokens(KubernetesClient client, Optional<String> audience) {
      return new Options(
          xdsAddress,
          adminAddress,
          shutdownGrace,
          ca,
          certificateLifetime,
          adsTls,
          insecureSds,
          Optional.of(new ServiceAccountTokens.Settings(client, audience, Optional::empty)));
    }
  }

  private final PrometheusMeterRegistry registry;
  private final SnapshotPublisher publisher;
  private final ReloadStatus reloads;
  private final AnalysisStatus analysis;
  private final XdsServer xds;
  private final AdminServer admin;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Duration grace;
  private final ScheduledExecutorService certificateTimers;
  private final MeshCertificates certificates;
  private final AtomicBoolean secretsRepublishPending = new AtomicBoolean();

  /** The trust domain of the last mesh published. Guarded by this. */
  private String trustDomain;

  /** Whether xDS streams can authenticate (and so get their own keys), or keys go to anyone. */
  private final boolean authenticated;

  private volatile String keyNotice = "";

  /** The settings of the last mesh published: its service-account bindings, for token checks. */
  private final AtomicReference<MeshConfig> served;

  private ControlPlane(
      PrometheusMeterRegistry registry,
      SnapshotPublisher publisher,
      ReloadStatus reloads,
      AnalysisStatus analysis,
      XdsServer xds,
      AdminServer admin,
      Duration grace,
      ScheduledExecutorService certificateTimers,
      MeshCertificates certificates,
      boolean authenticated,
      AtomicReference<MeshConfig> served) {
    this.authenticated = authenticated;
    this.served = served;
    this.registry = registry;
    this.publisher = publisher;
    this.reloads = reloads;
    this.analysis = analysis;
    this.xds = xds;
    this.admin = admin;
    this.grace = grace;
    this.certificateTimers = certificateTimers;
    this.certificates = certificates;
  }

  /**
   * Starts the xDS server and the admin API; ready (in /readyz) after the first publish.
   *
   * @throws IOException if an address cannot be bound
   */
  public static ControlPlane start(Options options) throws IOException {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    SnapshotPublisher publisher =
        new SnapshotPublisher(new SimpleCache<>(new NodeGroup()), new PackedResources());
    ReloadStatus reloads = new ReloadStatus(registry);
    AnalysisStatus analysis = new AnalysisStatus(registry);
    ScheduledExecutorService timers =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "trellis-certificates");
              t.setDaemon(true);
              return t;
            });
    // Renewals call back into the control plane, which exists only once everything has started.
    AtomicReference<Runnable> renewed = new AtomicReference<>(() -> {});
    MeshCertificates certificates =
        new MeshCertificates(
            options.ca(),
            options.certificateLifetime(),
            Clock.systemUTC(),
            timers,
            () -> renewed.get().run());
    if (options.insecureSds()) {
      LOG.warn(
          "INSECURE: --insecure-sds sends each group's private key over SDS to any client that"
              + " names the group, authenticated or not; for local experiments only");
    }
    Optional<ServerCredentials> tls = Optional.empty();
    if (options.adsTls()) {
      CertificateAuthority ca =
          options
              .ca()
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "xDS over TLS needs the mesh CA (and so its trust domain) at start"));
      tls = Optional.of(certificates.xdsServerCredentials(ca.trustDomain()));
    }
    // Indicators over the last five minutes: the span SLO burn-rate alerts start from.
    ProxySlis slis = new ProxySlis(Clock.systemUTC(), Duration.ofMinutes(5));
    AtomicReference<MeshConfig> served = new AtomicReference<>();
    XdsServer xds;
    try {
      xds =
          XdsServer.start(
              options.xdsAddress(),
              publisher,
              registry,
              tls,
              List.of(new MetricsSink(slis, group -> publisher.group(group).isPresent())),
              options.insecureSds(),
              options.tokens().map(t -> t.withServed(() -> Optional.ofNullable(served.get()))));
    } catch (IOException | RuntimeException e) {
      timers.shutdownNow();
      throw e;
    }
    AdminServer admin;
    try {
      admin =
          AdminServer.start(
              options.adminAddress(),
              publisher,
              xds::proxies,
              registry,
              reloads,
              analysis,
              slis::current);
    } catch (IOException | RuntimeException e) {
      xds.close();
      timers.shutdownNow();
      throw e;
    }
    ControlPlane cp =
        new ControlPlane(
            registry,
            publisher,
            reloads,
            analysis,
            xds,
            admin,
            options.shutdownGrace(),
            timers,
            certificates,
            options.adsTls() || options.insecureSds() || options.tokens().isPresent(),
            served);
    admin.notices(cp::keyNotice);
    renewed.set(cp::certificateRenewed);
    return cp;
  }

  /**
   * Publishes a rendered mesh, with each Envoy group's SDS secrets from the mesh CA, and records
   * the reload as successful.
   *
   * @throws IllegalArgumentException if a group's resources are inconsistent or the mesh's trust
   *     domain is not the CA's; nothing changes and the failure is recorded for the admin API
   */
  public synchronized PublishResult publish(RenderedMesh mesh) {
    try {
      PublishResult result = publisher.publish(withSecrets(mesh));
      served(mesh);
      reloads.succeeded();
      return result;
    } catch (IllegalArgumentException e) {
      reloads.failed(ReloadStatus.Reason.PUBLISH, e.getMessage());
      throw e;
    }
  }

  /**
   * Publishes what the {@link PublishGate} lets through: groups touched by an error finding keep
   * their last good config, the others get the new one. The analysis is shown at {@code
   * /debug/findings}; held-back groups also count as a failed reload.
   *
   * @throws IllegalArgumentException as {@link #publish(RenderedMesh)}
   */
  public synchronized PublishResult publish(RenderedMesh mesh, AnalysisResult result) {
    PublishResult published;
    PublishGate.Decision decision;
    try {
      decision = PublishGate.decide(withSecrets(mesh), result, publisher.groups());
      published = publisher.publish(decision.publish());
      served(mesh);
    } catch (IllegalArgumentException e) {
      reloads.failed(ReloadStatus.Reason.PUBLISH, e.getMessage());
      throw e;
    }
    analysis.analyzed(result, decision.blocked());
    if (decision.blocked().isEmpty()) {
      reloads.succeeded();
    } else {
      reloads.failed(ReloadStatus.Reason.FINDINGS, describe(decision.blocked()));
    }
    return published;
  }

  private static String describe(Map<String, List<Finding>> blocked) {
    StringBuilder out =
        new StringBuilder("groups held on their last good config by error findings:");
    blocked.forEach(
        (group, findings) -> {
          out.append("\n  ").append(group).append(':');
          findings.forEach(
              f ->
                  out.append("\n    ")
                      .append(f.location())
                      .append(": ")
                      .append(f.ruleId())
                      .append(": ")
                      .append(f.message()));
        });
    return out.toString();
  }

  /** Token streams from now on are bound to services by this mesh's settings. */
  private void served(RenderedMesh mesh) {
    if (mesh.mesh() != null) {
      served.set(mesh.mesh().config());
    }
  }

  /** The mesh with secrets attached; remembers its trust domain for renewals. */
  private RenderedMesh withSecrets(RenderedMesh mesh) {
    RenderedMesh attached = certificates.attach(mesh);
    if (mesh.mesh() != null) {
      trustDomain = mesh.mesh().config().trustDomain();
    }
    keyNotice(attached);
    return attached;
  }

  private static final int NAMED_GROUPS = 5;

  /**
   * Without stream authentication, groups whose TLS needs a key over SDS get none: says so once in
   * the log and for as long as it holds in /readyz.
   */
  private void keyNotice(RenderedMesh mesh) {
    if (authenticated) {
      keyNotice = "";
      return;
    }
    List<String> groups =
        mesh.groups().values().stream()
            .filter(
                g ->
                    g.resources().stream()
                        .anyMatch(
                            r ->
                                r.type() == dev.trellis.render.ResourceType.SECRET
                                    && r.proto() instanceof Secret secret
                                    && secret.hasTlsCertificate()))
            .map(g -> g.group().id())
            .sorted()
            .toList();
    if (groups.isEmpty()) {
      keyNotice = "";
      return;
    }
    String notice =
        groups.size()
            + " group(s) use mesh TLS keys over SDS ("
            + String.join(", ", groups.subList(0, Math.min(NAMED_GROUPS, groups.size())))
            + (groups.size() > NAMED_GROUPS ? ", ..." : "")
            + ") but xDS streams are not authenticated, so their proxies get no private key;"
            + " turn on authentication with --ads-tls (with --ca-dir) or"
            + " --auth-kubernetes-tokens";
    if (keyNotice.isEmpty()) {
      LOG.warn(notice);
    }
    keyNotice = notice;
  }

  /** Why some groups' proxies get no key (no stream authentication); empty if none. */
  public String keyNotice() {
    return keyNotice;
  }

  /** The mesh CA: the proxies' certificates, and the CA proxyless apps' files must come from. */
  public MeshCertificates certificates() {
    return certificates;
  }

  /** Renewals come in bursts (certificates issued together): one re-publish serves them all. */
  private void certificateRenewed() {
    if (secretsRepublishPending.compareAndSet(false, true)) {
      certificateTimers.execute(this::republishSecrets);
    }
  }

  /**
   * Publishes the groups as they are served now with the current certificates: only SDS changes
   * (groups held back by the publish gate stay on their last good config).
   */
  private synchronized void republishSecrets() {
    secretsRepublishPending.set(false);
    if (trustDomain == null || closed.get()) {
      return;
    }
    try {
      List<RenderedGroup> served =
          publisher.groups().values().stream().map(PublishedGroup::rendered).toList();
      LOG.info(
          "Certificates renewed: {}", publisher.publish(certificates.attach(served, trustDomain)));
    } catch (RuntimeException e) {
      LOG.error("Cannot publish renewed certificates; proxies keep the previous ones", e);
    }
  }

  /** The last analysis and the groups it held back. */
  public AnalysisStatus analysis() {
    return analysis;
  }

  /** Where load failures go: shown by /readyz and /debug/errors, counted in /metrics. */
  public ReloadStatus reloads() {
    return reloads;
  }

  public SnapshotPublisher publisher() {
    return publisher;
  }

  public XdsServer xds() {
    return xds;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public int xdsPort() {
    return xds.port();
  }

  public int adminPort() {
    return admin.port();
  }

  /** Closes everything on SIGTERM (or any JVM exit) so proxies reconnect elsewhere promptly. */
  public ControlPlane closeOnShutdown() {
    Runtime.getRuntime().addShutdownHook(new Thread(this::close, "trellis-shutdown"));
    return this;
  }

  /** Blocks until {@link #close} has finished. */
  public void awaitClosed() throws InterruptedException {
    stopped.await();
  }

  /** Stops accepting streams, closes open ones after the grace period, then stops the admin API. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    LOG.info("Shutting down: closing xDS streams, then the admin API");
    try {
      xds.shutdown(grace);
      certificates.close();
      certificateTimers.shutdownNow();
      admin.close();
      registry.close();
    } finally {
      stopped.countDown();
    }
  }
}
