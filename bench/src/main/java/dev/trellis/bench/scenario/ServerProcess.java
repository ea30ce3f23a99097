package dev.trellis.bench.scenario;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A server JVM started for a benchmark: output to a log file, ready when its port accepts. */
final class ServerProcess {

  private final Process process;
  private final Path log;
  private long listeningNanos;

  private ServerProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /**
   * Starts {@code command} and waits until loopback {@code port} accepts a connection; fails if the
   * process exits first or {@code timeout} passes.
   */
  static ServerProcess launch(
      List<String> command, Map<String, String> env, Path log, int port, Duration timeout)
      throws IOException, InterruptedException {
    Files.createDirectories(log.getParent());
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().putAll(env);
    ServerProcess sp = new ServerProcess(pb.start(), log);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!accepts(port)) {
      if (!sp.process.isAlive()) {
        throw new IOException(
            "server exited with " + sp.process.exitValue() + " before listening:\n" + sp.tail());
      }
      if (System.nanoTime() > deadline) {
        sp.kill();
        throw new IOException(
            "server did not listen on 127.0.0.1:"
                + port
                + " within "
                + timeout
                + ":\n"
                + sp.tail());
      }
      Thread.sleep(5);
    }
    sp.listeningNanos = System.nanoTime();
    return sp;
  }

  static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** When the port first accepted a connection ({@link System#nanoTime}). */
  long listeningNanos() {
    return listeningNanos;
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process.isAlive();
  }

  /** SIGKILL, then wait for the exit (bounded). */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM, then SIGKILL if it lingers. */
  void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      kill();
    }
  }

  String tail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }
}
