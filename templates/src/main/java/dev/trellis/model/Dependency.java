package dev.trellis.model;

import java.time.Duration;
import java.util.Optional;

/**
 * A call from one service to another, with the traffic policy the caller wrote for it (what it did
 * not write comes from the mesh defaults, see {@link Mesh#policyOf}).
 */
public record Dependency(String name, TrafficPolicy policy) {

  /** A dependency with only a timeout and a number of retries, as the short forms write them. */
  public Dependency(String name, Optional<Duration> timeout, int retries) {
    this(
        name,
        new TrafficPolicy(
            timeout,
            TrafficPolicy.Retries.attempts(retries),
            TrafficPolicy.CircuitBreakers.NONE,
            TrafficPolicy.OutlierDetection.NONE,
            Optional.empty()));
  }

  /** The timeout written for this dependency, without the mesh default. */
  public Optional<Duration> timeout() {
    return policy.timeout();
  }

  /** The number of retries written for this dependency (0 if none), without the mesh default. */
  public int retries() {
    return policy.retryAttempts();
  }
}
