package dev.trellis.bench.fleet;

import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fleet of simulated Envoys on one xDS server: every node has its own ADS stream, streams are
 * spread over a fixed number of connections (as many proxies share few server connections through
 * load balancers, and to keep 10,000 nodes in one JVM), and a node whose stream ends opens a new
 * one after jittered exponential backoff until the fleet is closed. New streams wait for their
 * connection; a lost connection is re-dialled every backoff base interval (not on gRPC's own
 * backoff, which grows to minutes), so after a server restart every node is back within about one
 * base interval of the server listening: the reconnect herd a restart really causes.
 */
public final class Fleet implements AutoCloseable {

  /**
   * How the fleet behaves: connections to spread streams over, the ADS variant, which responses to
   * NACK, and the reconnect backoff (delay = min(max, base * 2^attempt), jittered down by up to
   * half).
   */
  public record Options(
      int channels, XdsMode mode, NackPolicy nack, Duration backoffBase, Duration backoffMax) {

    public static Options of(XdsMode mode) {
      return new Options(64, mode, NackPolicy.NEVER, Duration.ofMillis(250), Duration.ofSeconds(2));
    }

    public Options withChannels(int n) {
      return new Options(n, mode, nack, backoffBase, backoffMax);
    }

    public Options withNack(NackPolicy p) {
      return new Options(channels, mode, p, backoffBase, backoffMax);
    }
  }

  private final Options options;
  private final ManagedChannel[] channels;
  private final List<SimNode> nodes;
  private final ScheduledExecutorService reconnects;
  private final ConcurrentHashMap<String, String> interned = new ConcurrentHashMap<>();
  private final AtomicLong responses = new AtomicLong();
  private final AtomicLong streamEnds = new AtomicLong();
  private volatile long lastActivityNanos = System.nanoTime();
  private volatile boolean closed;

  /** Prepares {@code specs} as nodes of a server on loopback {@code port}; {@link #start} opens. */
  public Fleet(int port, List<NodeSpec> specs, Options options) {
    this.options = options;
    int n = Math.max(1, Math.min(options.channels(), specs.size()));
    channels = new ManagedChannel[n];
    for (int i = 0; i < n; i++) {
      channels[i] =
          NettyChannelBuilder.forAddress("127.0.0.1", port)
              .usePlaintext()
              // Callbacks only parse names and queue an answer: no need for a thread hop.
              .directExecutor()
              .maxInboundMessageSize(64 << 20)
              .build();
    }
    List<SimNode> list = new ArrayList<>(specs.size());
    for (int i = 0; i < specs.size(); i++) {
      list.add(new SimNode(specs.get(i), this, i % n));
    }
    nodes = List.copyOf(list);
    reconnects =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "fleet-reconnect");
              t.setDaemon(true);
              return t;
            });
    long base = options.backoffBase().toNanos();
    reconnects.scheduleWithFixedDelay(this::redial, base, base, TimeUnit.NANOSECONDS);
  }

  private void redial() {
    for (ManagedChannel c : channels) {
      if (c.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
        c.resetConnectBackoff();
      }
    }
  }

  /** Opens every node's stream. */
  public void start() {
    for (SimNode n : nodes) {
      n.connect();
    }
  }

  public List<SimNode> nodes() {
    return nodes;
  }

  public XdsMode mode() {
    return options.mode();
  }

  /** Responses received by all nodes so far. */
  public long responses() {
    return responses.get();
  }

  /** Streams that ended (error or server close) so far. */
  public long streamEnds() {
    return streamEnds.get();
  }

  /** When a node last received a response or lost its stream ({@link System#nanoTime}). */
  public long lastActivityNanos() {
    return lastActivityNanos;
  }

  ManagedChannel channel(int i) {
    return channels[i];
  }

  NackPolicy nack() {
    return options.nack();
  }

  boolean closed() {
    return closed;
  }

  /** One instance per distinct name or version, shared by every node. */
  String intern(String s) {
    String prior = interned.putIfAbsent(s, s);
    return prior == null ? s : prior;
  }

  void noteResponse(long now) {
    responses.incrementAndGet();
    lastActivityNanos = now;
  }

  void noteStreamEnd() {
    streamEnds.incrementAndGet();
    lastActivityNanos = System.nanoTime();
  }

  void reconnectLater(SimNode node, int attempt) {
    if (closed) {
      return;
    }
    long base = options.backoffBase().toNanos();
    long cap = options.backoffMax().toNanos();
    long delay = attempt >= 20 ? cap : Math.min(cap, base << attempt);
    delay -= (long) (delay * 0.5 * ThreadLocalRandom.current().nextDouble());
    try {
      reconnects.schedule(node::connect, delay, TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // Closing.
    }
  }

  @Override
  public void close() {
    closed = true;
    reconnects.shutdownNow();
    for (SimNode n : nodes) {
      n.cancel();
    }
    for (ManagedChannel c : channels) {
      c.shutdownNow();
    }
    for (ManagedChannel c : channels) {
      try {
        c.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
