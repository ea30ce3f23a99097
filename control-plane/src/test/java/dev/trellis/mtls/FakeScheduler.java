package dev.trellis.mtls;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A scheduler on a {@link FakeClock}'s timeline: tasks run on the test's thread, in due order, when
 * {@link #advance} moves the clock past them.
 */
final class FakeScheduler extends AbstractExecutorService implements ScheduledExecutorService {
  private static final int MAX_TASKS_PER_ADVANCE = 10_000;

  private final FakeClock clock;
  private final List<Task> tasks = new ArrayList<>();
  private long sequence;

  FakeScheduler(FakeClock clock) {
    this.clock = clock;
  }

  /** Moves the clock forward by {@code duration}, running each task as its due time comes. */
  void advance(Duration duration) {
    Instant target = clock.instant().plus(duration);
    for (int ran = 0; ; ran++) {
      Task next;
      synchronized (this) {
        next =
            tasks.stream()
                .filter(t -> !t.due.isAfter(target))
                .min(Comparator.comparing((Task t) -> t.due).thenComparingLong(t -> t.seq))
                .orElse(null);
        if (next == null) {
          break;
        }
        tasks.remove(next);
      }
      if (ran >= MAX_TASKS_PER_ADVANCE) {
        throw new AssertionError("more than " + MAX_TASKS_PER_ADVANCE + " tasks in one advance");
      }
      if (next.due.isAfter(clock.instant())) {
        clock.set(next.due);
      }
      next.done = true;
      next.command.run();
    }
    clock.set(target);
  }

  synchronized int pending() {
    return tasks.size();
  }

  @Override
  public synchronized ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    Task task =
        new Task(command, clock.instant().plus(Duration.ofNanos(unit.toNanos(delay))), sequence++);
    tasks.add(task);
    return task;
  }

  private final class Task implements ScheduledFuture<Object> {
    final Runnable command;
    final Instant due;
    final long seq;
    volatile boolean done;
    volatile boolean cancelled;

    Task(Runnable command, Instant due, long seq) {
      this.command = command;
      this.due = due;
      this.seq = seq;
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(Duration.between(clock.instant(), due));
    }

    @Override
    public int compareTo(Delayed other) {
      return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      synchronized (FakeScheduler.this) {
        if (done || cancelled) {
          return false;
        }
        cancelled = true;
        tasks.remove(this);
        return true;
      }
    }

    @Override
    public boolean isCancelled() {
      return cancelled;
    }

    @Override
    public boolean isDone() {
      return done || cancelled;
    }

    @Override
    public Object get() {
      throw new UnsupportedOperationException();
    }

    @Override
    public Object get(long timeout, TimeUnit unit) {
      throw new UnsupportedOperationException();
    }
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    throw new UnsupportedOperationException();
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(
      Runnable command, long initialDelay, long period, TimeUnit unit) {
    throw new UnsupportedOperationException();
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(
      Runnable command, long initialDelay, long delay, TimeUnit unit) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void execute(Runnable command) {
    schedule(command, 0, TimeUnit.NANOSECONDS);
  }

  @Override
  public void shutdown() {
    throw new UnsupportedOperationException();
  }

  @Override
  public List<Runnable> shutdownNow() {
    throw new UnsupportedOperationException();
  }

  @Override
  public boolean isShutdown() {
    return false;
  }

  @Override
  public boolean isTerminated() {
    return false;
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return false;
  }
}
