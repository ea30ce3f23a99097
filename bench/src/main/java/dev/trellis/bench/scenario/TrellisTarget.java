package dev.trellis.bench.scenario;

import dev.trellis.bench.mesh.Change;
import dev.trellis.bench.mesh.DefinitionsWriter;
import dev.trellis.cli.TrellisCli;
import dev.trellis.model.Mesh;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * {@code trellis serve} in its own JVM ({@link TrellisCli} on this JVM's class path), on loopback,
 * serving a definitions directory. Ready once its admin {@code /readyz} answers 200; a change
 * rewrites the changed service's file there, and Trellis' own watcher picks it up. As in production
 * it keeps its mesh CA root in a directory ({@code --ca-dir}, made once by {@code trellis certs
 * init}), so a restart keeps the trust bundle; leaf certificates are new each start.
 */
public final class TrellisTarget implements Target {

  private final Path defs;
  private final Path caDir;
  private final List<String> jvmOptions;
  private final OptionalLong debounceMs;
  private final Path log;
  private final int xdsPort = Ports.free();
  private final int adminPort = Ports.free();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private Mesh mesh;
  private ServerProcess process;
  private long listening;
  private long ready;

  /** Writes {@code mesh} under {@code defs} for Trellis to serve. */
  public TrellisTarget(
      Mesh mesh, Path defs, List<String> jvmOptions, OptionalLong debounceMs, Path log) {
    this.mesh = mesh;
    this.defs = defs;
    this.jvmOptions = List.copyOf(jvmOptions);
    this.debounceMs = debounceMs;
    this.log = log;
    this.caDir = defs.resolveSibling(defs.getFileName() + "-ca");
    DefinitionsWriter.write(mesh, defs);
    if (!Files.exists(caDir.resolve("ca.crt"))) {
      int exit =
          TrellisCli.commandLine()
              .execute(
                  "certs",
                  "init",
                  "--ca-dir",
                  caDir.toString(),
                  "--trust-domain",
                  mesh.config().trustDomain());
      if (exit != 0) {
        throw new IllegalStateException("trellis certs init failed (exit " + exit + ")");
      }
    }
  }

  /** Whether the CLI on the class path has {@code serve}. */
  public static boolean available() {
    return TrellisCli.commandLine().getSubcommands().containsKey("serve");
  }

  @Override
  public String name() {
    return "trellis";
  }

  @Override
  public void start() throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    cmd.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            TrellisCli.class.getName(),
            "serve",
            "--defs",
            defs.toString(),
            "--bind",
            "127.0.0.1",
            "--xds-port",
            Integer.toString(xdsPort),
            "--admin-port",
            Integer.toString(adminPort),
            "--ca-dir",
            caDir.toString()));
    if (debounceMs.isPresent()) {
      cmd.add("--debounce-ms");
      cmd.add(Long.toString(debounceMs.getAsLong()));
    }
    process = ServerProcess.launch(cmd, Map.of(), log, xdsPort, Duration.ofMinutes(2));
    listening = process.listeningNanos();
    // Listening comes before the first load: wait until the definitions are served.
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (!ready()) {
      if (!process.alive() || System.nanoTime() > deadline) {
        throw new IOException("trellis never became ready:\n" + process.tail());
      }
      Thread.sleep(20);
    }
    ready = System.nanoTime();
  }

  private boolean ready() throws InterruptedException {
    HttpRequest req =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/readyz"))
            .timeout(Duration.ofSeconds(5))
            .build();
    try {
      return http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
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
  public long readyNanos() {
    return ready;
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
  public String apply(Change change) {
    mesh = change.applyTo(mesh);
    DefinitionsWriter.writeService(mesh.service(change.service()).orElseThrow(), defs);
    return "rewrote services/" + change.service() + ".yaml";
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
