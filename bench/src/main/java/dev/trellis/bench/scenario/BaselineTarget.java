package dev.trellis.bench.scenario;

import dev.trellis.bench.baseline.BaselineServer;
import dev.trellis.bench.mesh.Change;
import dev.trellis.bench.mesh.MeshParams;
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
 * The {@link BaselineServer} in its own JVM, on this JVM's class path. It regenerates the mesh from
 * the same params; changes go to its admin port, and a restart replays them.
 */
public final class BaselineTarget implements Target {

  private final MeshParams params;
  private final List<String> jvmOptions;
  private final Path log;
  private final int xdsPort = Ports.free();
  private final int adminPort = Ports.free();
  private final List<Change> applied = new ArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private ServerProcess process;

  public BaselineTarget(MeshParams params, List<String> jvmOptions, Path log) {
    this.params = params;
    this.jvmOptions = List.copyOf(jvmOptions);
    this.log = log;
  }

  @Override
  public String name() {
    return "baseline";
  }

  @Override
  public void start() throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(BaselineServer.class.getName());
    cmd.addAll(
        List.of(
            "--services", Integer.toString(params.services()),
            "--endpoints", Integer.toString(params.endpoints()),
            "--seed", Long.toString(params.seed()),
            "--xds-port", Integer.toString(xdsPort),
            "--admin-port", Integer.toString(adminPort)));
    for (Change c : applied) {
      cmd.add("--change");
      cmd.add(c.toString());
    }
    process = ServerProcess.launch(cmd, Map.of(), log, xdsPort, Duration.ofSeconds(60));
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
  public int xdsPort() {
    return xdsPort;
  }

  @Override
  public long pid() {
    return process.pid();
  }

  @Override
  public String apply(Change change) throws IOException, InterruptedException {
    HttpRequest req =
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:"
                        + adminPort
                        + "/change?spec="
                        + URLEncoder.encode(change.toString(), StandardCharsets.UTF_8)))
            .POST(HttpRequest.BodyPublishers.noBody())
            .timeout(Duration.ofSeconds(30))
            .build();
    HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
    if (resp.statusCode() != 200) {
      throw new IOException("baseline refused change " + change + ": " + resp.body().strip());
    }
    applied.add(change);
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
