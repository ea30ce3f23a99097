package dev.trellis.stream;

import dev.trellis.publish.SnapshotPublisher;
import io.envoyproxy.controlplane.server.DefaultExecutorGroup;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ADS server: state-of-the-world and delta xDS for listeners, routes, clusters, endpoints and
 * secrets (aggregated, and each type on its own service), serving the publisher's snapshots.
 */
public final class XdsServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(XdsServer.class);

  /** Nodes whose last rejection is remembered across reconnects; older ones are forgotten. */
  static final int REMEMBERED_NODES = 16_384;

  /** Bytes the remembered rejections may take in all (node ids come from clients). */
  static final long REJECTION_MEMORY_BYTES = 8L << 20;

  private final Server server;
  private final ProxyTracker tracker;
  private final ExecutorService heldWatches;

  private XdsServer(Server server, ProxyTracker tracker, ExecutorService heldWatches) {
    this.server = server;
    this.tracker = tracker;
    this.heldWatches = heldWatches;
  }

  /**
   * Starts serving on this address (port 0 picks a free port).
   *
   * @throws IOException if the address cannot be bound
   */
  public static XdsServer start(
      InetSocketAddress address, SnapshotPublisher publisher, MeterRegistry registry)
      throws IOException {
    return start(address, publisher, registry, Optional.empty());
  }

  /**
   * Starts serving on this address; with {@code tls} (credentials that require a client
   * certificate), every proxy must present a SPIFFE identity and gets only its own group's config
   * (see {@link PeerIdentity}).
   *
   * @throws IOException if the address cannot be bound
   */
  public static XdsServer start(
      InetSocketAddress address,
      SnapshotPublisher publisher,
      MeterRegistry registry,
      Optional<ServerCredentials> tls)
      throws IOException {
    return start(address, publisher, registry, tls, List.of());
  }

  /**
   * Starts serving as {@link #start(InetSocketAddress, SnapshotPublisher, MeterRegistry, Optional)}
   * does, with {@code services} (such as a metrics sink) on the same port.
   *
   * @throws IOException if the address cannot be bound
   */
  public static XdsServer start(
      InetSocketAddress address,
      SnapshotPublisher publisher,
      MeterRegistry registry,
      Optional<ServerCredentials> tls,
      List<BindableService> services)
      throws IOException {
    return start(address, publisher, registry, tls, services, false);
  }

  /**
   * Starts serving as {@link #start(InetSocketAddress, SnapshotPublisher, MeterRegistry, Optional,
   * List)} does; with {@code insecureSds}, streams that did not authenticate are sent the private
   * key of the group they name too (otherwise only authenticated streams get their own key).
   *
   * @throws IOException if the address cannot be bound
   */
  public static XdsServer start(
      InetSocketAddress address,
      SnapshotPublisher publisher,
      MeterRegistry registry,
      Optional<ServerCredentials> tls,
      List<BindableService> services,
      boolean insecureSds)
      throws IOException {
    return start(address, publisher, registry, tls, services, insecureSds, Optional.empty());
  }

  /**
   * Starts serving as {@link #start(InetSocketAddress, SnapshotPublisher, MeterRegistry, Optional,
   * List, boolean)} does; with {@code tokens}, a stream may authenticate with a Kubernetes
   * service-account token (see {@link ServiceAccountTokens}).
   *
   * @throws IOException if the address cannot be bound
   */
  public static XdsServer start(
      InetSocketAddress address,
      SnapshotPublisher publisher,
      MeterRegistry registry,
      Optional<ServerCredentials> tls,
      List<BindableService> services,
      boolean insecureSds,
      Optional<ServiceAccountTokens.Settings> tokens)
      throws IOException {
    XdsMetrics metrics = new XdsMetrics(registry, group -> publisher.group(group).isPresent());
    ProxyTracker tracker =
        new ProxyTracker(
            publisher,
            metrics,
            new RejectionMemory(REMEMBERED_NODES, REJECTION_MEMORY_BYTES),
            Clock.systemUTC(),
            insecureSds);
    ExecutorService heldWatches =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "trellis-xds-first-snapshot");
              t.setDaemon(true);
              return t;
            });
    V3DiscoveryServer discovery =
        new V3DiscoveryServer(
            List.of(tracker),
            new GuardedConfigWatcher(
                publisher.cache(), tracker, new FirstSnapshotWait(publisher.cache(), heldWatches)),
            new DefaultExecutorGroup(),
            publisher.packedResources());
    NettyServerBuilder builder =
        tls.map(credentials -> NettyServerBuilder.forAddress(address, credentials))
            .orElseGet(() -> NettyServerBuilder.forAddress(address));
    // The interceptor added last runs first: the certificate's identity, then the token's.
    tokens.ifPresent(
        t ->
            builder.intercept(
                new ServiceAccountTokens(
                    t.client(), t.audience(), t.served(), Clock.systemUTC(), metrics)));
    if (tls.isPresent()) {
      builder.intercept(new PeerIdentity());
    }
    services.forEach(builder::addService);
    Server server;
    try {
      server =
          builder
              .addService(discovery.getAggregatedDiscoveryServiceImpl())
              .addService(discovery.getListenerDiscoveryServiceImpl())
              .addService(discovery.getRouteDiscoveryServiceImpl())
              .addService(discovery.getClusterDiscoveryServiceImpl())
              .addService(discovery.getEndpointDiscoveryServiceImpl())
              .addService(discovery.getSecretDiscoveryServiceImpl())
              // Envoy is commonly configured with HTTP/2 keepalives well under gRPC's 5 min
              // default.
              .permitKeepAliveTime(10, TimeUnit.SECONDS)
              .permitKeepAliveWithoutCalls(true)
              .build()
              .start();
    } catch (IOException | RuntimeException e) {
      heldWatches.shutdownNow();
      throw e;
    }
    LOG.info("xDS server listening on {}", server.getListenSockets());
    return new XdsServer(server, tracker, heldWatches);
  }

  /** The bound port. */
  public int port() {
    return server.getPort();
  }

  /** Every connected stream with what it was sent, ACKed and NACKed. */
  public List<ProxyStatus> proxies() {
    return tracker.proxies();
  }

  /**
   * Stops accepting streams, gives open streams the grace period to end, then closes them (clients
   * see UNAVAILABLE and reconnect elsewhere).
   */
  public void shutdown(Duration grace) {
    server.shutdown();
    try {
      if (!server.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    } finally {
      heldWatches.shutdownNow();
    }
  }

  @Override
  public void close() {
    shutdown(Duration.ZERO);
  }
}
