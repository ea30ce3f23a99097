package dev.trellis.model;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The traffic policy of calls to one service: timeout, retries, circuit breakers, outlier detection
 * and load balancing. Every part is optional; an absent part is inherited, field by field, from the
 * mesh's {@code trafficDefaults} and then from {@link #BUILT_IN} (see {@link Mesh#policyOf}).
 *
 * @param timeout the whole call, retries included
 */
public record TrafficPolicy(
    Optional<Duration> timeout,
    Retries retries,
    CircuitBreakers circuitBreakers,
    OutlierDetection outlierDetection,
    Optional<LbPolicy> lb) {

  /** Nothing written: everything inherited. */
  public static final TrafficPolicy NONE =
      new TrafficPolicy(
          Optional.empty(),
          Retries.NONE,
          CircuitBreakers.NONE,
          OutlierDetection.NONE,
          Optional.empty());

  /** What applies when neither the dependency nor the mesh says: least-request balancing. */
  public static final TrafficPolicy BUILT_IN =
      new TrafficPolicy(
          Optional.empty(),
          Retries.NONE,
          CircuitBreakers.NONE,
          OutlierDetection.NONE,
          Optional.of(LbPolicy.LEAST_REQUEST));

  /** This policy with every absent part taken from {@code fallback}. */
  public TrafficPolicy orElse(TrafficPolicy fallback) {
    return new TrafficPolicy(
        timeout.or(fallback::timeout),
        retries.orElse(fallback.retries),
        circuitBreakers.orElse(fallback.circuitBreakers),
        outlierDetection.orElse(fallback.outlierDetection),
        lb.or(fallback::lb));
  }

  /** The number of retries after the first attempt; 0 when none is written anywhere. */
  public int retryAttempts() {
    return retries.attempts().orElse(0);
  }

  /** Load balancing between a service's instances. */
  public enum LbPolicy {
    ROUND_ROBIN,
    LEAST_REQUEST,
    RING_HASH,
    RANDOM,
    /**
     * Round robin weighted by what each instance reports of its own load (ORCA: requests per second
     * over utilization, errors penalised); instances that report nothing get the mean.
     */
    WEIGHTED_ROUND_ROBIN;

    /** The name in definitions, e.g. {@code least_request}. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * Retries of a failed call.
   *
   * @param attempts retries after the first attempt (as in {@code retries: 2})
   * @param on the conditions that allow a retry, Envoy's {@code retry_on} names (e.g. {@code 5xx},
   *     {@code connect-failure}, {@code unavailable})
   * @param perTryTimeout the deadline of each attempt
   * @param budget the share of active requests that may be retries, per dependency
   */
  public record Retries(
      Optional<Integer> attempts,
      Optional<List<String>> on,
      Optional<Duration> perTryTimeout,
      Optional<RetryBudget> budget) {

    public static final Retries NONE =
        new Retries(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

    public Retries {
      on = on.map(List::copyOf);
    }

    /** Just a number of retries, as the short form {@code retries: N} writes it. */
    public static Retries attempts(int n) {
      return new Retries(Optional.of(n), Optional.empty(), Optional.empty(), Optional.empty());
    }

    public Retries orElse(Retries fallback) {
      return new Retries(
          attempts.or(fallback::attempts),
          on.or(fallback::on),
          perTryTimeout.or(fallback::perTryTimeout),
          budget.or(fallback::budget));
    }
  }

  /**
   * A retry budget (Envoy's {@code retry_budget}): retries may be at most {@code percent} of the
   * active requests, but {@code minConcurrency} retries are always allowed.
   */
  public record RetryBudget(int percent, int minConcurrency) {
    public static final int DEFAULT_PERCENT = 20;
    public static final int DEFAULT_MIN_CONCURRENCY = 3;
  }

  /** Limits on the connections and requests to one service, per proxy. */
  public record CircuitBreakers(
      Optional<Integer> maxConnections,
      Optional<Integer> maxPendingRequests,
      Optional<Integer> maxRequests) {

    public static final CircuitBreakers NONE =
        new CircuitBreakers(Optional.empty(), Optional.empty(), Optional.empty());

    public CircuitBreakers orElse(CircuitBreakers fallback) {
      return new CircuitBreakers(
          maxConnections.or(fallback::maxConnections),
          maxPendingRequests.or(fallback::maxPendingRequests),
          maxRequests.or(fallback::maxRequests));
    }

    public boolean isEmpty() {
      return equals(NONE);
    }
  }

  /** Passive health checking: instances that keep failing are ejected for a while. */
  public record OutlierDetection(
      Optional<Integer> consecutive5xx,
      Optional<Integer> consecutiveGatewayErrors,
      Optional<Duration> baseEjectionTime,
      Optional<Integer> maxEjectionPercent) {

    public static final OutlierDetection NONE =
        new OutlierDetection(
            Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

    public OutlierDetection orElse(OutlierDetection fallback) {
      return new OutlierDetection(
          consecutive5xx.or(fallback::consecutive5xx),
          consecutiveGatewayErrors.or(fallback::consecutiveGatewayErrors),
          baseEjectionTime.or(fallback::baseEjectionTime),
          maxEjectionPercent.or(fallback::maxEjectionPercent));
    }

    public boolean isEmpty() {
      return equals(NONE);
    }
  }
}
