package dev.trellis.admin;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * Outcomes of loading the definitions: the current error (the last reload failed and the last good
 * config is still served) and a short history, shown by the admin API; failures are counted.
 */
public final class ReloadStatus {

  /** A failed reload: when, and the error as a user reads it (file:line:col and field). */
  public record ReloadError(Instant at, String message) {}

  private static final int HISTORY = 20;

  private final Counter errors;
  private final Clock clock;
  private final Deque<ReloadError> history = new ArrayDeque<>();
  private ReloadError current;
  private Instant lastSuccess;

  public ReloadStatus(MeterRegistry registry) {
    this(registry, Clock.systemUTC());
  }

  ReloadStatus(MeterRegistry registry, Clock clock) {
    this.errors =
        Counter.builder("trellis.reload.errors")
            .description("Loads of the definitions that failed (the last good config stays)")
            .register(registry);
    this.clock = clock;
  }

  public synchronized void succeeded() {
    current = null;
    lastSuccess = clock.instant();
  }

  public synchronized void failed(String message) {
    current = new ReloadError(clock.instant(), message);
    history.addFirst(current);
    if (history.size() > HISTORY) {
      history.removeLast();
    }
    errors.increment();
  }

  /** The error of the last reload if it failed. */
  public synchronized Optional<ReloadError> current() {
    return Optional.ofNullable(current);
  }

  /** Recent failures, newest first. */
  public synchronized List<ReloadError> history() {
    return List.copyOf(history);
  }

  public synchronized Optional<Instant> lastSuccess() {
    return Optional.ofNullable(lastSuccess);
  }
}
