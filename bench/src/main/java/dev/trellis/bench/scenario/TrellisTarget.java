package dev.trellis.bench.scenario;

import dev.trellis.bench.mesh.Change;
import dev.trellis.bench.mesh.DefinitionsWriter;
import dev.trellis.model.Mesh;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * {@code trellis serve} in its own JVM through the repo's {@code ./trellis} launcher (which execs
 * java, so the process is the server JVM). It serves a definitions directory; a change rewrites the
 * changed service's file there, and Trellis picks it up itself.
 */
public final class TrellisTarget implements Target {

  private final Path repo;
  private final Path defs;
  private final String jvmOptions;
  private final Path log;
  private final int xdsPort = Ports.free();
  private final int adminPort = Ports.free();
  private Mesh mesh;
  private ServerProcess process;

  /** Writes {@code mesh} under {@code defs} for Trellis to serve. */
  public TrellisTarget(Path repo, Mesh mesh, Path defs, List<String> jvmOptions, Path log) {
    this.repo = repo;
    this.mesh = mesh;
    this.defs = defs;
    this.jvmOptions = String.join(" ", jvmOptions);
    this.log = log;
    DefinitionsWriter.write(mesh, defs);
  }

  /**
   * Whether {@code repo}'s launcher lists a {@code serve} command yet (in {@code trellis --help});
   * builds the CLI on first use.
   */
  public static boolean available(Path repo) throws IOException, InterruptedException {
    Path launcher = repo.resolve("trellis");
    if (!Files.isExecutable(launcher)) {
      return false;
    }
    Process p = new ProcessBuilder(launcher.toString(), "--help").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(15, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      return false;
    }
    return p.exitValue() == 0 && hasServe(out);
  }

  /** Whether picocli's usage text lists {@code serve} under "Commands:". */
  static boolean hasServe(String usage) {
    int commands = usage.indexOf("\nCommands:");
    return commands >= 0
        && Pattern.compile("(?m)^\\s+serve\\b").matcher(usage.substring(commands)).find();
  }

  @Override
  public String name() {
    return "trellis";
  }

  @Override
  public void start() throws IOException, InterruptedException {
    List<String> cmd =
        List.of(
            repo.resolve("trellis").toString(),
            "serve",
            "--defs",
            defs.toString(),
            "--xds-port",
            Integer.toString(xdsPort),
            "--admin-port",
            Integer.toString(adminPort));
    process =
        ServerProcess.launch(
            cmd, Map.of("TRELLIS_JAVA_OPTS", jvmOptions), log, xdsPort, Duration.ofMinutes(2));
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
