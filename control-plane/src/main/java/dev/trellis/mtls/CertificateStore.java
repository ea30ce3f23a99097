package dev.trellis.mtls;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the current certificate of each identity asked for and renews it before it expires, once
 * {@link #RENEW_AT_FRACTION} of its lifetime has passed; thread-safe.
 *
 * <p>Time comes from the injected {@link Clock}, timers from the injected scheduler (which the
 * store uses but does not own or shut down). A renewal that fires early by that clock waits for the
 * rest; a renewal that fails keeps the current certificate and is retried. An identity is renewed
 * at most once a second, even if its CA expires sooner than that.
 */
public final class CertificateStore implements AutoCloseable {

  /**
   * Receives every certificate the store issues, first ones and renewals, in order per identity. It
   * is called with the store locked, on the thread that issued, so it must return quickly.
   */
  @FunctionalInterface
  public interface Listener {
    void issued(IssuedCertificate certificate);
  }

  /** A certificate is renewed once this fraction of its lifetime (from issuance) has passed. */
  public static final double RENEW_AT_FRACTION = 2.0 / 3.0;

  private static final Duration MAX_RETRY_DELAY = Duration.ofMinutes(1);
  private static final Duration MIN_RENEW_DELAY = Duration.ofSeconds(1);
  private static final Logger log = LoggerFactory.getLogger(CertificateStore.class);

  private final CertificateAuthority ca;
  private final Duration lifetime;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final Listener listener;

  // Guarded by this.
  private final Map<SpiffeId, Entry> entries = new HashMap<>();
  private boolean closed;

  private record Entry(IssuedCertificate certificate, Instant renewAt, ScheduledFuture<?> timer) {}

  /**
   * @param lifetime the lifetime of each certificate issued
   */
  public CertificateStore(
      CertificateAuthority ca,
      Duration lifetime,
      Clock clock,
      ScheduledExecutorService scheduler,
      Listener listener) {
    this.ca = Objects.requireNonNull(ca, "ca");
    this.lifetime = Objects.requireNonNull(lifetime, "lifetime");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.listener = Objects.requireNonNull(listener, "listener");
    if (lifetime.isNegative() || lifetime.isZero()) {
      throw new IllegalArgumentException("certificate lifetime " + lifetime + " is not positive");
    }
  }

  /**
   * The current certificate of {@code id}, issuing one (and notifying the listener) if there is
   * none yet; from then on the store keeps it renewed until {@link #remove} or {@link #close}.
   */
  public synchronized IssuedCertificate certificateFor(SpiffeId id) {
    if (closed) {
      throw new IllegalStateException("certificate store is closed");
    }
    Entry entry = entries.get(id);
    return entry != null ? entry.certificate() : issue(id);
  }

  public synchronized Optional<IssuedCertificate> current(SpiffeId id) {
    return Optional.ofNullable(entries.get(id)).map(Entry::certificate);
  }

  /** The current certificates, by identity. */
  public synchronized SortedMap<SpiffeId, IssuedCertificate> certificates() {
    SortedMap<SpiffeId, IssuedCertificate> out = new TreeMap<>();
    entries.forEach((id, e) -> out.put(id, e.certificate()));
    return Collections.unmodifiableSortedMap(out);
  }

  /** Forgets {@code id} and stops renewing its certificate. */
  public synchronized void remove(SpiffeId id) {
    Entry entry = entries.remove(id);
    if (entry != null) {
      entry.timer().cancel(false);
    }
  }

  /** Stops all renewals; the store issues nothing more. */
  @Override
  public synchronized void close() {
    closed = true;
    entries.values().forEach(e -> e.timer().cancel(false));
    entries.clear();
  }

  /**
   * When a certificate issued at {@code issuedAt} and expiring at {@code notAfter} is due for
   * renewal.
   */
  static Instant renewAt(Instant issuedAt, Instant notAfter) {
    Duration life = Duration.between(issuedAt, notAfter);
    // Lifetimes cut short by an expiring CA shrink with each renewal; the floor stops a busy loop.
    Duration delay = Duration.ofNanos((long) (life.toNanos() * RENEW_AT_FRACTION));
    return issuedAt.plus(delay.compareTo(MIN_RENEW_DELAY) < 0 ? MIN_RENEW_DELAY : delay);
  }

  // Called with the lock held.
  private IssuedCertificate issue(SpiffeId id) {
    IssuedCertificate certificate = ca.issue(id, lifetime);
    Instant renewAt = renewAt(clock.instant(), certificate.notAfter());
    entries.put(id, new Entry(certificate, renewAt, schedule(id, certificate, renewAt)));
    try {
      listener.issued(certificate);
    } catch (RuntimeException e) {
      log.warn("certificate listener failed for {}", id, e);
    }
    return certificate;
  }

  private ScheduledFuture<?> schedule(SpiffeId id, IssuedCertificate certificate, Instant at) {
    long delay = Math.max(0, Duration.between(clock.instant(), at).toNanos());
    return scheduler.schedule(() -> renew(id, certificate), delay, TimeUnit.NANOSECONDS);
  }

  private synchronized void renew(SpiffeId id, IssuedCertificate renewing) {
    Entry entry = entries.get(id);
    if (closed || entry == null || entry.certificate() != renewing) {
      return; // removed, or already renewed: this timer is stale
    }
    if (clock.instant().isBefore(entry.renewAt())) {
      entries.put(
          id, new Entry(renewing, entry.renewAt(), schedule(id, renewing, entry.renewAt())));
      return;
    }
    try {
      issue(id);
    } catch (RuntimeException e) {
      Instant retryAt = clock.instant().plus(retryDelay());
      log.warn(
          "cannot renew certificate of {} (expires {}); retrying at {}",
          id,
          renewing.notAfter(),
          retryAt,
          e);
      entries.put(id, new Entry(renewing, retryAt, schedule(id, renewing, retryAt)));
    }
  }

  private Duration retryDelay() {
    Duration tenth = lifetime.dividedBy(10);
    return tenth.compareTo(MAX_RETRY_DELAY) < 0 ? tenth : MAX_RETRY_DELAY;
  }
}
