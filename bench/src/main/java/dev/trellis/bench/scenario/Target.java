package dev.trellis.bench.scenario;

import dev.trellis.bench.mesh.Change;
import java.io.IOException;

/** An xDS server under test, run in its own JVM on loopback and fed the same mesh and changes. */
public interface Target extends AutoCloseable {

  /** Short name used in the report, e.g. {@code baseline}. */
  String name();

  /** Starts the server and returns once its xDS port accepts connections. */
  void start() throws IOException, InterruptedException;

  /** When the xDS port of the last start first accepted a connection ({@link System#nanoTime}). */
  long listeningNanos();

  /** When the last start was ready to serve its config; by default when it was listening. */
  default long readyNanos() {
    return listeningNanos();
  }

  /** Kills the server's process at once (SIGKILL) and waits for it to be gone. */
  void kill() throws InterruptedException;

  int xdsPort();

  /** The server JVM's process id, for heap readings. */
  long pid();

  /** Readies {@code change} before it is timed, where the server can (the baseline pre-builds). */
  default void prepare(Change change) throws IOException, InterruptedException {}

  /**
   * Makes {@code change} to the served mesh the way this server takes changes, returning once it is
   * handed over; the result says what the server answered, for the log.
   */
  String apply(Change change) throws IOException, InterruptedException;

  /** Stops the server if it runs. */
  @Override
  void close();
}
