package dev.trellis.serve;

import dev.trellis.admin.AdminServer;
import dev.trellis.admin.AnalysisStatus;
import dev.trellis.admin.ReloadStatus;
import dev.trellis.analyze.AnalysisResult;
import dev.trellis.analyze.Finding;
import dev.trellis.publish.PackedResources;
import dev.trellis.publish.PublishGate;
import dev.trellis.publish.PublishResult;
import dev.trellis.publish.SnapshotPublisher;
import dev.trellis.render.RenderedMesh;
import dev.trellis.stream.NodeGroup;
import dev.trellis.stream.XdsServer;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running control plane, wired in one place: the snapshot cache and publisher, the xDS server,
 * the admin API and the metrics registry. {@code trellis serve} loads and renders the definitions
 * and hands each rendered mesh to {@link #publish}, or a load error to {@link #reloads()}.
 */
public final class ControlPlane implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ControlPlane.class);

  /** Where to listen, and how long open xDS streams get to end on shutdown. */
  public record Options(
      InetSocketAddress xdsAddress, InetSocketAddress adminAddress, Duration shutdownGrace) {}

  private final PrometheusMeterRegistry registry;
  private final SnapshotPublisher publisher;
  private final ReloadStatus reloads;
  private final AnalysisStatus analysis;
  private final XdsServer xds;
  private final AdminServer admin;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Duration grace;

  private ControlPlane(
      PrometheusMeterRegistry registry,
      SnapshotPublisher publisher,
      ReloadStatus reloads,
      AnalysisStatus analysis,
      XdsServer xds,
      AdminServer admin,
      Duration grace) {
    this.registry = registry;
    this.publisher = publisher;
    this.reloads = reloads;
    this.analysis = analysis;
    this.xds = xds;
    this.admin = admin;
    this.grace = grace;
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
    XdsServer xds = XdsServer.start(options.xdsAddress(), publisher, registry);
    AdminServer admin;
    try {
      admin =
          AdminServer.start(
              options.adminAddress(), publisher, xds::proxies, registry, reloads, analysis);
    } catch (IOException | RuntimeException e) {
      xds.close();
      throw e;
    }
    return new ControlPlane(
        registry, publisher, reloads, analysis, xds, admin, options.shutdownGrace());
  }

  /**
   * Publishes a rendered mesh and records the reload as successful.
   *
   * @throws IllegalArgumentException if a group's resources are inconsistent; nothing changes and
   *     the failure is recorded for the admin API
   */
  public PublishResult publish(RenderedMesh mesh) {
    try {
      PublishResult result = publisher.publish(mesh);
      reloads.succeeded();
      return result;
    } catch (IllegalArgumentException e) {
      reloads.failed(e.getMessage());
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
  public PublishResult publish(RenderedMesh mesh, AnalysisResult result) {
    PublishGate.Decision decision = PublishGate.decide(mesh, result, publisher.groups());
    PublishResult published;
    try {
      published = publisher.publish(decision.publish());
    } catch (IllegalArgumentException e) {
      reloads.failed(e.getMessage());
      throw e;
    }
    analysis.analyzed(result, decision.blocked());
    if (decision.blocked().isEmpty()) {
      reloads.succeeded();
    } else {
      reloads.failed(describe(decision.blocked()));
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
      admin.close();
      registry.close();
    } finally {
      stopped.countDown();
    }
  }
}
