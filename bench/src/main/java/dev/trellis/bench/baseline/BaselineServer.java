package dev.trellis.bench.baseline;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.trellis.bench.mesh.Change;
import dev.trellis.bench.mesh.MeshGenerator;
import dev.trellis.bench.mesh.MeshParams;
import dev.trellis.model.Mesh;
import dev.trellis.render.ProxyGroup;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
 * optional admin HTTP port on loopback takes {@code POST /change?spec=<change>} to apply a {@link
 * Change} and set the snapshots of the groups it changed.
 */
public final class BaselineServer implements AutoCloseable {

  private final SimpleCache<String> cache = new SimpleCache<>(node -> node.getCluster());
  private final Server grpc;
  private final HttpServer admin;
  private Mesh mesh;
  private SortedMap<String, Snapshot> snapshots;

  private BaselineServer(Mesh mesh, int xdsPort, int adminPort) throws IOException {
    this.mesh = mesh;
    this.snapshots = BaselineConfig.snapshots(mesh);
    snapshots.forEach(cache::setSnapshot);
    V3DiscoveryServer xds = new V3DiscoveryServer(cache);
    InetAddress loopback = InetAddress.getLoopbackAddress();
    this.grpc =
        NettyServerBuilder.forAddress(new InetSocketAddress(loopback, xdsPort))
            .addService(xds.getAggregatedDiscoveryServiceImpl())
            .build()
            .start();
    if (adminPort >= 0) {
      admin = HttpServer.create(new InetSocketAddress(loopback, adminPort), 16);
      admin.createContext("/change", this::handleChange);
      admin.createContext("/healthz", ex -> reply(ex, 200, "ok\n"));
      admin.start();
    } else {
      admin = null;
    }
  }

  /** Starts serving {@code mesh}; port 0 picks a free port, an admin port below 0 means none. */
  public static BaselineServer start(Mesh mesh, int xdsPort, int adminPort) throws IOException {
    return new BaselineServer(mesh, xdsPort, adminPort);
  }

  public int xdsPort() {
    return grpc.getPort();
  }

  public int adminPort() {
    return admin == null ? -1 : admin.getAddress().getPort();
  }

  /**
   * Applies {@code change}: rebuilds the groups that can depend on the changed service and sets the
   * snapshot of each whose versions moved. Returns those groups.
   */
  public synchronized List<String> apply(Change change) {
    Mesh next = change.applyTo(mesh);
    List<String> changed = new ArrayList<>();
    SortedMap<String, Snapshot> all = new TreeMap<>(snapshots);
    for (ProxyGroup g : BaselineConfig.groupsDependingOn(next, change.service())) {
      Snapshot snap = BaselineConfig.snapshot(next, g);
      if (!sameVersions(all.get(g.id()), snap)) {
        cache.setSnapshot(g.id(), snap);
        all.put(g.id(), snap);
        changed.add(g.id());
      }
    }
    mesh = next;
    snapshots = all;
    return changed;
  }

  /** The snapshot currently served to {@code group}, if any. */
  public synchronized Snapshot snapshot(String group) {
    return snapshots.get(group);
  }

  private static boolean sameVersions(Snapshot a, Snapshot b) {
    if (a == null) {
      return false;
    }
    for (var t : io.envoyproxy.controlplane.cache.Resources.ResourceType.values()) {
      if (!Objects.equals(a.version(t), b.version(t))) {
        return false;
      }
    }
    return true;
  }

  private void handleChange(HttpExchange ex) throws IOException {
    if (!"POST".equals(ex.getRequestMethod())) {
      reply(ex, 405, "POST /change?spec=<kind>:<service>:<step>\n");
      return;
    }
    String spec = query(ex).get("spec");
    try {
      long start = System.nanoTime();
      List<String> changed = apply(Change.parse(spec == null ? "" : spec));
      long micros = (System.nanoTime() - start) / 1000;
      reply(ex, 200, "changed " + String.join(",", changed) + " in " + micros + "us\n");
    } catch (RuntimeException e) {
      reply(ex, 400, e.getMessage() + "\n");
    }
  }

  private static Map<String, String> query(HttpExchange ex) {
    String q = ex.getRequestURI().getRawQuery();
    Map<String, String> out = new java.util.HashMap<>();
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
      description = "Serves a generated mesh with bare java-control-plane, for benchmarks.")
  static final class Cli implements Callable<Integer> {
    @Option(names = "--services", required = true)
    int services;

    @Option(names = "--endpoints", required = true)
    int endpoints;

    @Option(names = "--seed", required = true)
    long seed;

    @Option(names = "--xds-port", required = true)
    int xdsPort;

    @Option(names = "--admin-port", defaultValue = "-1")
    int adminPort;

    @Option(
        names = "--change",
        description = "a change already made to the mesh, applied before serving (repeatable)")
    List<String> changes = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
      Mesh mesh = MeshGenerator.generate(new MeshParams(services, endpoints, seed));
      for (String c : changes) {
        mesh = Change.parse(c).applyTo(mesh);
      }
      BaselineServer server = start(mesh, xdsPort, adminPort);
      System.out.println(
          "baseline: serving "
              + server.snapshots.size()
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
    try {
      System.exit(new CommandLine(new Cli()).execute(args));
    } catch (UncheckedIOException e) {
      System.err.println("baseline: " + e.getMessage());
      System.exit(2);
    }
  }
}
