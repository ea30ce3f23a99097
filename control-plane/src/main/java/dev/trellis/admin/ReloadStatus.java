package dev.trellis.admin;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Outcomes of loading the definitions: the current error (the last reload failed and the last good
 * config is still served) and a short history, shown by the admin API; failures are counted.
 */
public final class ReloadStatus {

  /** A failed reload: when, why, and the error as a user reads it (file:line:col and field). */
  public record ReloadError(Instant at, Reason reason, String message) {}

  /**
   * Why a reload failed, the {@code reason} label of {@code trellis_reload_errors_total}: so that
   * an alert can tell a hostile or runaway template from an ordinary typo.
   */
  public enum Reason {
    /** The definitions do not load (syntax, schema, references). */
    DEFINITIONS,
    /** A template fails to compile or render, or renders invalid config. */
    RENDER,
    /** A group's render went over its time or output budget (--render-timeout, ...). */
    RENDER_BUDGET,
    /** Error findings held groups on their last good config. */
    FINDINGS,
    /** The rendered config could not be published. */
    PUBLISH,
    /** The definitions could not be read. */
    IO,
    /** A bug or the JVM itself (e.g. out of memory). */
    INTERNAL;

    /** The label value: {@code render_budget}. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private static final int HISTORY = 20;

  private final Map<Reason, Counter> errors = new EnumMap<>(Reason.class);
  private final Clock clock;
  private final Deque<ReloadError> history = new ArrayDeque<>();
  private ReloadError current;
  private Instant lastSuccess;

  public ReloadStatus(MeterRegistry registry) {
    this(registry, Clock.systemUTC());
  }

  ReloadStatus(MeterRegistry registry, Clock clock) {
    // Every reason from the start: a series that appears only on the first failure cannot be
    // alerted on with rate().
    for (Reason reason : Reason.values()) {
      errors.put(
          reason,
          Counter.builder("trellis.reload.errors")
              .description("Loads of the definitions that failed (the last good config stays)")
              .tag("reason", reason.label())
              .register(registry));
    }
    this.clock = clock;
  }

  public synchronized void succeeded() {
    current = null;
    lastSuccess = clock.instant();
  }

  public synchronized void failed(Reason reason, String message) {
    current = new ReloadError(clock.instant(), reason, message);
    history.addFirst(current);
    if (history.size() > HISTORY) {
      history.removeLast();
    }
    errors.get(reason).increment();
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
