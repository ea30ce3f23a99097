package dev.trellis.bench.baseline;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The floor Trellis is measured against: bare java-control-plane ({@link V3DiscoveryServer} over a
 * {@link SimpleCache}) serving pre-built snapshots per group, with no rendering or analysis. An
 * optional admin HTTP port on loopback takes {@code POST /prepare?bundle=FILE} (load a {@link
 * SnapshotBundle} ahead of time) and {@code POST /change?bundle=FILE} (set its snapshots whose
 * versions differ from those served).
 */
public final class BaselineServer implements AutoCloseable {

  private final SimpleCache<String> cache = new SimpleCache<>(node -> node.getCluster());
  private final Server grpc;
  private final HttpServer admin;
  private final Map<String, SortedMap<String, Snapshot>> prepared = new HashMap<>();
  private SortedMap<String, Snapshot> served = new TreeMap<>();

  private BaselineServer(Map<String, Snapshot> snapshots, int xdsPort, int adminPort)
      throws IOException {
    apply(snapshots);
    V3DiscoveryServer xds = new V3DiscoveryServer(cache);
    InetAddress loopback = InetAddress.getLoopbackAddress();
    this.grpc =
        NettyServerBuilder.forAddress(new InetSocketAddress(loopback, xdsPort))
            .addService(xds.getAggregatedDiscoveryServiceImpl())
            .build()
            .start();
    if (adminPort >= 0) {
      admin = HttpServer.create(new InetSocketAddress(loopback, adminPort), 16);
      admin.createContext("/prepare", ex -> handle(ex, false));
      admin.createContext("/change", ex -> handle(ex, true));
      admin.start();
    } else {
      admin = null;
    }
  }

  /** Starts serving; port 0 picks a free port, an admin port below 0 means none. */
  public static BaselineServer start(Map<String, Snapshot> snapshots, int xdsPort, int adminPort)
      throws IOException {
    return new BaselineServer(snapshots, xdsPort, adminPort);
  }

  public int xdsPort() {
    return grpc.getPort();
  }

  public int adminPort() {
    return admin == null ? -1 : admin.getAddress().getPort();
  }

  /** Sets every given snapshot whose versions differ from the one served; returns those groups. */
  public synchronized List<String> apply(Map<String, Snapshot> snapshots) {
    List<String> changed = new ArrayList<>();
    SortedMap<String, Snapshot> next = new TreeMap<>(served);
    snapshots.forEach(
        (group, snap) -> {
          if (!GroupConfigs.sameVersions(served.get(group), snap)) {
            cache.setSnapshot(group, snap);
            next.put(group, snap);
            changed.add(group);
          }
        });
    served = next;
    return changed;
  }

  /** The snapshot currently served to {@code group}, if any. */
  public synchronized Snapshot snapshot(String group) {
    return served.get(group);
  }

  private void handle(HttpExchange ex, boolean set) throws IOException {
    String bundle = query(ex).get("bundle");
    if (!"POST".equals(ex.getRequestMethod()) || bundle == null) {
      reply(ex, 405, "POST /prepare?bundle=FILE or /change?bundle=FILE\n");
      return;
    }
    try {
      long start = System.nanoTime();
      SortedMap<String, Snapshot> snaps;
      synchronized (prepared) {
        snaps = set ? prepared.remove(bundle) : null;
      }
      if (snaps == null) {
        snaps = SnapshotBundle.read(Path.of(bundle));
      }
      if (!set) {
        synchronized (prepared) {
          prepared.put(bundle, snaps);
        }
        reply(ex, 200, "prepared " + snaps.size() + " groups\n");
        return;
      }
      List<String> changed = apply(snaps);
      long micros = (System.nanoTime() - start) / 1000;
      reply(ex, 200, "set " + String.join(",", changed) + " in " + micros + "us\n");
    } catch (IOException | RuntimeException e) {
      reply(ex, 400, "cannot use bundle " + bundle + ": " + e.getMessage() + "\n");
    }
  }

  private static Map<String, String> query(HttpExchange ex) {
    String q = ex.getRequestURI().getRawQuery();
    Map<String, String> out = new HashMap<>();
    if (q != null) {
      for (String kv : q.split("&")) {
        int eq = kv.indexOf('=');
        if (eq > 0) {
          out.put(
              kv.substring(0, eq), URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
        }
      }
    }
    return out;
  }

  private static void reply(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    if (admin != null) {
      admin.stop(0);
    }
    grpc.shutdownNow();
    try {
      grpc.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Command(
      name = "baseline-server",
      mixinStandardHelpOptions = true,
      description = "Serves pre-built snapshots with bare java-control-plane, for benchmarks.")
  static final class Cli implements Callable<Integer> {
    @Option(
        names = "--bundle",
        required = true,
        description = "snapshot bundle to serve; later ones replace earlier ones' groups")
    List<Path> bundles = new ArrayList<>();

    @Option(names = "--xds-port", required = true)
    int xdsPort;

    @Option(names = "--admin-port", defaultValue = "-1")
    int adminPort;

    @Override
    public Integer call() throws Exception {
      SortedMap<String, Snapshot> snapshots = new TreeMap<>();
      for (Path b : bundles) {
        snapshots.putAll(SnapshotBundle.read(b));
      }
      BaselineServer server = start(snapshots, xdsPort, adminPort);
      System.out.println(
          "baseline: serving "
              + snapshots.size()
              + " groups on 127.0.0.1:"
              + server.xdsPort()
              + (server.adminPort() >= 0 ? ", admin on 127.0.0.1:" + server.adminPort() : ""));
      CountDownLatch stop = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
      stop.await();
      server.close();
      return 0;
    }
  }

  public static void main(String[] args) {
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      // java-control-plane logs every stream open and close at INFO: 10,000 lines per run.
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
    System.exit(new CommandLine(new Cli()).execute(args));
  }
}
