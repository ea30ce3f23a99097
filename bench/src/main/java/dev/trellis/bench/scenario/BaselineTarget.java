package dev.trellis.bench.scenario;

import dev.trellis.bench.baseline.BaselineServer;
import dev.trellis.bench.baseline.GroupConfigs;
import dev.trellis.bench.baseline.SnapshotBundle;
import dev.trellis.bench.mesh.Change;
import dev.trellis.model.Mesh;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@link BaselineServer} in its own JVM, on this JVM's class path, serving snapshots this JVM
 * builds ahead of time into bundle files: the initial mesh at the first start, each change before
 * it is timed. A restart serves the initial bundle and every applied change's, in order.
 */
public final class BaselineTarget implements Target {

  private final GroupConfigs configs;
  private final Path work;
  private final List<String> jvmOptions;
  private final Path log;
  private final int xdsPort = Ports.free();
  private final int adminPort = Ports.free();
  private final List<Path> served = new ArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private Mesh mesh;
  private Change pending;
  private Path pendingBundle;
  private ServerProcess process;
  private long listening;

  /** Builds snapshots of {@code mesh} with {@code configs}; bundle files go under {@code work}. */
  public BaselineTarget(
      GroupConfigs configs, Mesh mesh, Path work, List<String> jvmOptions, Path log) {
    this.configs = configs;
    this.mesh = mesh;
    this.work = work;
    this.jvmOptions = List.copyOf(jvmOptions);
    this.log = log;
  }

  @Override
  public String name() {
    return "baseline";
  }

  @Override
  public void start() throws IOException, InterruptedException {
    if (served.isEmpty()) {
      Path initial = work.resolve("initial.bundle");
      SnapshotBundle.write(initial, configs.snapshots(mesh));
      served.add(initial);
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(BaselineServer.class.getName());
    cmd.addAll(
        List.of(
            "--xds-port", Integer.toString(xdsPort), "--admin-port", Integer.toString(adminPort)));
    for (Path b : served) {
      cmd.add("--bundle");
      cmd.add(b.toString());
    }
    process = ServerProcess.launch(cmd, Map.of(), log, xdsPort, Duration.ofSeconds(120));
    listening = process.listeningNanos();
    // The admin port opens right after the xDS port; changes must not race it.
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!ServerProcess.accepts(adminPort) && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
  }

  @Override
  public void kill() throws InterruptedException {
    if (process != null) {
      process.kill();
      process = null;
    }
  }

  @Override
  public long listeningNanos() {
    return listening;
  }

  @Override
  public int xdsPort() {
    return xdsPort;
  }

  @Override
  public long pid() {
    return process.pid();
  }

  /** Builds the snapshots {@code change} alters into a bundle and has the server load it. */
  @Override
  public void prepare(Change change) throws IOException, InterruptedException {
    Mesh next = change.applyTo(mesh);
    Path bundle =
        work.resolve((served.size()) + "-" + change.toString().replace(':', '-') + ".bundle");
    SnapshotBundle.write(bundle, configs.snapshotsDependingOn(next, change.service()));
    post("prepare", bundle);
    pending = change;
    pendingBundle = bundle;
  }

  @Override
  public String apply(Change change) throws IOException, InterruptedException {
    if (!change.equals(pending)) {
      prepare(change);
    }
    String answer = post("change", pendingBundle);
    served.add(pendingBundle);
    mesh = change.applyTo(mesh);
    pending = null;
    return answer;
  }

  private String post(String what, Path bundle) throws IOException, InterruptedException {
    HttpRequest req =
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:"
                        + adminPort
                        + "/"
                        + what
                        + "?bundle="
                        + URLEncoder.encode(bundle.toString(), StandardCharsets.UTF_8)))
            .POST(HttpRequest.BodyPublishers.noBody())
            .timeout(Duration.ofSeconds(30))
            .build();
    HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
    if (resp.statusCode() != 200) {
      throw new IOException(
          "baseline refused " + what + " of " + bundle + ": " + resp.body().strip());
    }
    return resp.body().strip();
  }

  @Override
  public void close() {
    if (process != null) {
      try {
        process.stop();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      process = null;
    }
  }
}
