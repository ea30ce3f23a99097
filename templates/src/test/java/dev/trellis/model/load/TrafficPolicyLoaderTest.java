package dev.trellis.model.load;

import static dev.trellis.model.load.DefinitionLoaderTest.errors;
import static dev.trellis.model.load.DefinitionLoaderTest.mesh;
import static dev.trellis.model.load.DefinitionLoaderTest.service;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.model.Mesh;
import dev.trellis.model.TrafficPolicy;
import dev.trellis.model.TrafficPolicy.CircuitBreakers;
import dev.trellis.model.TrafficPolicy.LbPolicy;
import dev.trellis.model.TrafficPolicy.OutlierDetection;
import dev.trellis.model.TrafficPolicy.Retries;
import dev.trellis.model.TrafficPolicy.RetryBudget;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TrafficPolicyLoaderTest {

  private static final String CALLEE = service("ledger");

  private static TrafficPolicy written(Mesh mesh) {
    return mesh.service("payments").orElseThrow().dependencies().get(0).policy();
  }

  private static Mesh payments(String... dependencyLines) {
    String[] lines = new String[dependencyLines.length + 2];
    lines[0] = "dependencies:";
    lines[1] = "  - name: ledger";
    System.arraycopy(dependencyLines, 0, lines, 2, dependencyLines.length);
    return mesh(
        "services/payments.yaml", service("payments", lines), "services/ledger.yaml", CALLEE);
  }

  private static List<String> paymentsErrors(String... dependencyLines) {
    String[] lines = new String[dependencyLines.length + 2];
    lines[0] = "dependencies:";
    lines[1] = "  - name: ledger";
    System.arraycopy(dependencyLines, 0, lines, 2, dependencyLines.length);
    return errors(
        "services/payments.yaml", service("payments", lines), "services/ledger.yaml", CALLEE);
  }

  @Test
  void everyPolicyFieldOfADependencyIsRead() {
    TrafficPolicy p =
        written(
            payments(
                "    timeout: 2s",
                "    retries:",
                "      attempts: 3",
                "      on: [5xx, connect-failure]",
                "      perTryTimeout: 500ms",
                "      budget: {percent: 25, minConcurrency: 5}",
                "    circuitBreakers: {maxConnections: 100, maxPendingRequests: 10,"
                    + " maxRequests: 200}",
                "    outlierDetection:",
                "      consecutive5xx: 5",
                "      consecutiveGatewayErrors: 3",
                "      baseEjectionTime: 30s",
                "      maxEjectionPercent: 50",
                "    lb: ring_hash"));
    assertThat(p)
        .isEqualTo(
            new TrafficPolicy(
                Optional.of(Duration.ofSeconds(2)),
                new Retries(
                    Optional.of(3),
                    Optional.of(List.of("5xx", "connect-failure")),
                    Optional.of(Duration.ofMillis(500)),
                    Optional.of(new RetryBudget(25, 5))),
                new CircuitBreakers(Optional.of(100), Optional.of(10), Optional.of(200)),
                new OutlierDetection(
                    Optional.of(5),
                    Optional.of(3),
                    Optional.of(Duration.ofSeconds(30)),
                    Optional.of(50)),
                Optional.of(LbPolicy.RING_HASH)));
  }

  @Test
  void theShortFormsStillWork() {
    TrafficPolicy p = written(payments("    timeout: 200ms", "    retries: 2"));
    assertThat(p.timeout()).contains(Duration.ofMillis(200));
    assertThat(p.retries()).isEqualTo(Retries.attempts(2));
    assertThat(p.circuitBreakers().isEmpty()).isTrue();
    assertThat(p.lb()).isEmpty();
  }

  @Test
  void aBudgetTakesEnvoysDefaultsForWhatItOmits() {
    TrafficPolicy p = written(payments("    retries: {attempts: 1, budget: {}}"));
    assertThat(p.retries().budget()).contains(new RetryBudget(20, 3));
  }

  @Test
  void unwrittenPartsComeFromTrafficDefaultsFieldByFieldThenFromTheBuiltIns() {
    Mesh mesh =
        mesh(
            "mesh.yaml",
            """
            trafficDefaults:
              timeout: 1s
              retries: {attempts: 2, on: [reset], perTryTimeout: 300ms}
              circuitBreakers: {maxRequests: 500}
              outlierDetection: {consecutive5xx: 7}
            """,
            "services/payments.yaml",
            service(
                "payments",
                "dependencies:",
                "  - name: ledger",
                "    retries: 4",
                "    circuitBreakers: {maxConnections: 9}",
                "  - name: audit",
                "    timeout: 3s",
                "    lb: random"),
            "services/ledger.yaml",
            CALLEE,
            "services/audit.yaml",
            service("audit"));
    var deps = mesh.service("payments").orElseThrow().dependencies();

    TrafficPolicy ledger = mesh.policyOf(deps.get(0));
    assertThat(ledger.timeout()).contains(Duration.ofSeconds(1));
    assertThat(ledger.retries())
        .isEqualTo(
            new Retries(
                Optional.of(4),
                Optional.of(List.of("reset")),
                Optional.of(Duration.ofMillis(300)),
                Optional.empty()));
    assertThat(ledger.circuitBreakers())
        .isEqualTo(new CircuitBreakers(Optional.of(9), Optional.empty(), Optional.of(500)));
    assertThat(ledger.outlierDetection().consecutive5xx()).contains(7);
    assertThat(ledger.lb()).contains(LbPolicy.LEAST_REQUEST);

    TrafficPolicy audit = mesh.policyOf(deps.get(1));
    assertThat(audit.timeout()).contains(Duration.ofSeconds(3));
    assertThat(audit.retryAttempts()).isEqualTo(2);
    assertThat(audit.lb()).contains(LbPolicy.RANDOM);
  }

  @Test
  void withoutAnyDefaultsADependencyBalancesByLeastRequestAndDoesNotRetry() {
    Mesh mesh = payments();
    TrafficPolicy p = mesh.policyOf(mesh.service("payments").orElseThrow().dependencies().get(0));
    assertThat(p).isEqualTo(TrafficPolicy.BUILT_IN);
    assertThat(p.retryAttempts()).isZero();
  }

  @Test
  void badValuesAreReportedWithTheirFieldPath() {
    assertThat(
            paymentsErrors(
                "    retries:",
                "      attempts: 11",
                "      on: [5xx, teapot, 5xx]",
                "      perTryTimeout: soon",
                "      budget: {percent: 0, min: 1}",
                "    circuitBreakers: {maxConnections: 0, maxRequests: \"10\"}",
                "    outlierDetection: {maxEjectionPercent: 101, baseEjectionTime: 0s}",
                "    lb: maglev"))
        .containsExactly(
            "services/payments.yaml:8:17: dependencies[0].retries.attempts: 11 is out of range"
                + " (0-10)",
            "services/payments.yaml:9:17: dependencies[0].retries.on[1]: 'teapot' is not a retry"
                + " condition (expected one of: 5xx, gateway-error, reset, reset-before-request,"
                + " connect-failure, envoy-ratelimited, retriable-4xx, refused-stream,"
                + " http3-post-connect-failure, cancelled, deadline-exceeded, internal,"
                + " resource-exhausted, unavailable)",
            "services/payments.yaml:9:25: dependencies[0].retries.on[2]: duplicate retry condition"
                + " '5xx' (first at column 12)",
            "services/payments.yaml:10:22: dependencies[0].retries.perTryTimeout: 'soon' is not a"
                + " duration (a positive whole number followed by ms, s, m or h, e.g. 500ms, 2s,"
                + " 1m)",
            "services/payments.yaml:11:25: dependencies[0].retries.budget.percent: 0 is out of range"
                + " (1-100)",
            "services/payments.yaml:11:28: unknown field 'min' in dependencies[0].retries.budget"
                + " (expected one of: percent, minConcurrency)",
            "services/payments.yaml:12:39: dependencies[0].circuitBreakers.maxConnections: 0 is out"
                + " of range (1-1000000)",
            "services/payments.yaml:12:55: dependencies[0].circuitBreakers.maxRequests: expected an"
                + " integer, got the quoted string '10' (remove the quotes)",
            "services/payments.yaml:13:44: dependencies[0].outlierDetection.maxEjectionPercent: 101"
                + " is out of range (1-100)",
            "services/payments.yaml:13:67: dependencies[0].outlierDetection.baseEjectionTime: '0s'"
                + " is not a duration (a positive whole number followed by ms, s, m or h, e.g."
                + " 500ms, 2s, 1m)",
            "services/payments.yaml:14:9: dependencies[0].lb: invalid value 'maglev' (expected one"
                + " of: round_robin, least_request, ring_hash, random, weighted_round_robin)");
  }

  @Test
  void aMistypedRetryConditionGetsTheClosestOne() {
    assertThat(paymentsErrors("    retries: {on: [connect-failures]}"))
        .containsExactly(
            "services/payments.yaml:7:20: dependencies[0].retries.on[0]: 'connect-failures' is not"
                + " a retry condition (expected one of: 5xx, gateway-error, reset,"
                + " reset-before-request, connect-failure, envoy-ratelimited, retriable-4xx,"
                + " refused-stream, http3-post-connect-failure, cancelled, deadline-exceeded,"
                + " internal, resource-exhausted, unavailable; did you mean 'connect-failure'?)");
  }

  @Test
  void retriesIsANumberOrAMapping() {
    assertThat(paymentsErrors("    retries: [1]"))
        .containsExactly(
            "services/payments.yaml:7:14: dependencies[0].retries: expected an integer, got a"
                + " list");
    assertThat(paymentsErrors("    retries: {tries: 1}"))
        .containsExactly(
            "services/payments.yaml:7:15: unknown field 'tries' in dependencies[0].retries"
                + " (expected one of: attempts, on, perTryTimeout, budget)");
  }

  @Test
  void trafficDefaultsAreCheckedLikeADependency() {
    assertThat(
            errors(
                "mesh.yaml", "trafficDefaults:\n  lb: fastest\n  retries: {on: []}\n  name: x\n"))
        .containsExactly(
            "mesh.yaml:2:7: trafficDefaults.lb: invalid value 'fastest' (expected one of:"
                + " round_robin, least_request, ring_hash, random, weighted_round_robin)",
            "mesh.yaml:3:17: trafficDefaults.retries.on: must not be empty",
            "mesh.yaml:4:3: unknown field 'name' in trafficDefaults (expected one of: timeout,"
                + " retries, circuitBreakers, outlierDetection, lb)");
  }

  @Test
  void provenanceLocatesPolicyFields() {
    Mesh mesh = payments("    retries:", "      perTryTimeout: 1s");
    assertThat(
            mesh.service("payments")
                .orElseThrow()
                .provenance()
                .locate("dependencies[0].retries.perTryTimeout")
                .toString())
        .isEqualTo("services/payments.yaml:8:22");
  }
}
