package dev.trellis.model.load;

import dev.trellis.model.TrafficPolicy;
import dev.trellis.model.TrafficPolicy.CircuitBreakers;
import dev.trellis.model.TrafficPolicy.LbPolicy;
import dev.trellis.model.TrafficPolicy.OutlierDetection;
import dev.trellis.model.TrafficPolicy.Retries;
import dev.trellis.model.TrafficPolicy.RetryBudget;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads the traffic policy fields of a dependency or of {@code trafficDefaults}: {@code timeout},
 * {@code retries} ({@code N}, or {@code {attempts, on, perTryTimeout, budget: {percent,
 * minConcurrency}}}), {@code circuitBreakers} ({@code maxConnections, maxPendingRequests,
 * maxRequests}), {@code outlierDetection} ({@code consecutive5xx, consecutiveGatewayErrors,
 * baseEjectionTime, maxEjectionPercent}) and {@code lb}.
 */
final class TrafficPolicyReader {

  static final List<String> FIELDS =
      List.of("timeout", "retries", "circuitBreakers", "outlierDetection", "lb");
  static final List<String> RETRY_FIELDS = List.of("attempts", "on", "perTryTimeout", "budget");
  static final List<String> BUDGET_FIELDS = List.of("percent", "minConcurrency");
  static final List<String> CIRCUIT_BREAKER_FIELDS =
      List.of("maxConnections", "maxPendingRequests", "maxRequests");
  static final List<String> OUTLIER_FIELDS =
      List.of(
          "consecutive5xx", "consecutiveGatewayErrors", "baseEjectionTime", "maxEjectionPercent");

  static final int MAX_RETRIES = 10;
  static final int MAX_LIMIT = 1_000_000;
  static final int MAX_CONSECUTIVE = 1000;

  /**
   * The retry conditions Trellis accepts: Envoy's {@code x-envoy-retry-on} values that need no
   * further configuration, and its {@code x-envoy-retry-grpc-on} gRPC status names.
   */
  static final List<String> RETRY_CONDITIONS =
      List.of(
          "5xx",
          "gateway-error",
          "reset",
          "reset-before-request",
          "connect-failure",
          "envoy-ratelimited",
          "retriable-4xx",
          "refused-stream",
          "http3-post-connect-failure",
          "cancelled",
          "deadline-exceeded",
          "internal",
          "resource-exhausted",
          "unavailable");

  private final Source src;
  private boolean ok = true;

  private TrafficPolicyReader(Source src) {
    this.src = src;
  }

  /** The policy fields of {@code f} (which lists {@link #FIELDS} among its own), or empty. */
  static Optional<TrafficPolicy> read(Source src, Fields f) {
    TrafficPolicyReader r = new TrafficPolicyReader(src);
    Optional<Duration> timeout =
        f.optional("timeout").flatMap(n -> r.check(Values.duration(src, f.path("timeout"), n)));
    Retries retries =
        f.optional("retries").map(n -> r.retries(f.path("retries"), n)).orElse(Retries.NONE);
    CircuitBreakers breakers =
        f.optional("circuitBreakers")
            .map(n -> r.circuitBreakers(f.path("circuitBreakers"), n))
            .orElse(CircuitBreakers.NONE);
    OutlierDetection outliers =
        f.optional("outlierDetection")
            .map(n -> r.outlierDetection(f.path("outlierDetection"), n))
            .orElse(OutlierDetection.NONE);
    Optional<LbPolicy> lb =
        f.optional("lb").flatMap(n -> r.check(Values.choice(src, f.path("lb"), n, LbPolicy.class)));
    if (!r.ok) {
      return Optional.empty();
    }
    return Optional.of(new TrafficPolicy(timeout, retries, breakers, outliers, lb));
  }

  /** Notes a value that did not convert (it was reported), and passes it on. */
  private <T> Optional<T> check(Optional<T> value) {
    if (value.isEmpty()) {
      ok = false;
    }
    return value;
  }

  private Optional<Integer> integer(Fields f, String field, int min, int max) {
    return f.optional(field).flatMap(n -> check(Values.integer(src, f.path(field), n, min, max)));
  }

  private Optional<Duration> duration(Fields f, String field) {
    return f.optional(field).flatMap(n -> check(Values.duration(src, f.path(field), n)));
  }

  private <T> T open(
      String path, Node node, List<String> fields, T none, Function<Fields, T> read) {
    Optional<Fields> opened = Fields.open(src, path, node, fields);
    if (opened.isEmpty()) {
      ok = false;
      return none;
    }
    return read.apply(opened.get());
  }

  /** {@code N} (retries after the first attempt) or the full mapping. */
  private Retries retries(String path, Node node) {
    if (!(node instanceof MappingNode)) {
      return check(Values.integer(src, path, node, 0, MAX_RETRIES))
          .map(Retries::attempts)
          .orElse(Retries.NONE);
    }
    return open(
        path,
        node,
        RETRY_FIELDS,
        Retries.NONE,
        f ->
            new Retries(
                integer(f, "attempts", 0, MAX_RETRIES),
                f.optional("on").flatMap(n -> check(conditions(f.path("on"), n))),
                duration(f, "perTryTimeout"),
                f.optional("budget").flatMap(n -> budget(f.path("budget"), n))));
  }

  private Optional<List<String>> conditions(String path, Node node) {
    return Values.distinctList(
        src,
        path,
        node,
        "retry condition",
        v ->
            RETRY_CONDITIONS.contains(v)
                ? Optional.empty()
                : Optional.of(
                    "is not a retry condition (expected one of: "
                        + String.join(", ", RETRY_CONDITIONS)
                        + Suggestions.hint(v, RETRY_CONDITIONS)
                        + ")"),
        false);
  }

  private Optional<RetryBudget> budget(String path, Node node) {
    return open(
        path,
        node,
        BUDGET_FIELDS,
        Optional.empty(),
        f -> {
          Optional<Integer> percent = integer(f, "percent", 1, 100);
          Optional<Integer> min = integer(f, "minConcurrency", 0, MAX_LIMIT);
          return Optional.of(
              new RetryBudget(
                  percent.orElse(RetryBudget.DEFAULT_PERCENT),
                  min.orElse(RetryBudget.DEFAULT_MIN_CONCURRENCY)));
        });
  }

  private CircuitBreakers circuitBreakers(String path, Node node) {
    return open(
        path,
        node,
        CIRCUIT_BREAKER_FIELDS,
        CircuitBreakers.NONE,
        f ->
            new CircuitBreakers(
                integer(f, "maxConnections", 1, MAX_LIMIT),
                integer(f, "maxPendingRequests", 1, MAX_LIMIT),
                integer(f, "maxRequests", 1, MAX_LIMIT)));
  }

  private OutlierDetection outlierDetection(String path, Node node) {
    return open(
        path,
        node,
        OUTLIER_FIELDS,
        OutlierDetection.NONE,
        f ->
            new OutlierDetection(
                integer(f, "consecutive5xx", 1, MAX_CONSECUTIVE),
                integer(f, "consecutiveGatewayErrors", 1, MAX_CONSECUTIVE),
                duration(f, "baseEjectionTime"),
                integer(f, "maxEjectionPercent", 1, 100)));
  }
}
