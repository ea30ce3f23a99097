package dev.trellis.analyze.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.trellis.analyze.clients.ClientSupportCheck.Verdict;
import dev.trellis.model.XdsClient;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CapabilitiesTest {

  private final Capabilities model = Capabilities.standard();
  private final ClientSupportCheck check = new ClientSupportCheck(model);

  @Test
  void everyFeatureHasASourcedEntryForEveryGrpcClient() {
    assertThat(model.features()).isNotEmpty();
    for (Capabilities.Feature f : model.features()) {
      for (XdsClient c : XdsClient.GRPC) {
        assertThat(f.entry(c)).as("%s / %s", f.id(), c.label()).isPresent();
        assertThat(f.entry(c).orElseThrow().source()).as("%s / %s", f.id(), c.label()).isNotBlank();
      }
    }
  }

  @Test
  void clientsAreIdentifiedByTheUserAgentTheySend() {
    assertThat(model.identify("gRPC Java")).contains(XdsClient.GRPC_JAVA);
    assertThat(model.identify("gRPC Node Pure JS")).contains(XdsClient.GRPC_NODE);
    assertThat(model.identify("gRPC C-core linux Python")).contains(XdsClient.GRPC_CORE);
    assertThat(model.identify("gRPC Go")).contains(XdsClient.GRPC_GO);
    assertThat(model.identify("envoy")).contains(XdsClient.ENVOY);
    assertThat(model.identify("gRPC Javascript")).isEmpty();
    assertThat(model.identify("")).isEmpty();
  }

  @Test
  void aReleaseBeforeSinceGetsTheBeforeStatus() {
    Capabilities.Entry ringHash =
        model.feature("lb.ring_hash").orElseThrow().entry(XdsClient.GRPC_NODE).orElseThrow();
    assertThat(ringHash.at(Optional.of("1.9.3"))).isEqualTo(Support.REJECTED);
    assertThat(ringHash.at(Optional.of("1.10.0"))).isEqualTo(Support.SUPPORTED);
    assertThat(ringHash.at(Optional.of("1.14.1"))).isEqualTo(Support.SUPPORTED);
    assertThat(ringHash.at(Optional.empty())).isEqualTo(Support.SUPPORTED);
    assertThat(Capabilities.release("C-core 29.0.0 Python 1.51.1")).contains("1.51.1");
    assertThat(Capabilities.release("1.85.1")).contains("1.85.1");
    assertThat(Capabilities.release("dev")).isEmpty();
  }

  @Test
  void aClientTakesTheFirstPolicyOfAListItSupports() {
    FeatureUse list =
        new FeatureUse(
            null,
            List.of("lb.wrr_locality/lb.least_request", "lb.least_request", "lb.round_robin"),
            "load_balancing_policy");
    assertThat(check.verdict(list, XdsClient.GRPC_NODE).map(Verdict::support))
        .contains(Support.SUPPORTED);
    FeatureUse none =
        new FeatureUse(null, List.of("lb.least_request", "lb.random"), "load_balancing_policy");
    assertThat(check.verdict(none, XdsClient.GRPC_JAVA).map(Verdict::support))
        .contains(Support.SUPPORTED);
    assertThat(check.verdict(none, XdsClient.GRPC_CORE))
        .contains(
            new Verdict(
                Support.REJECTED,
                "none of the balancing policies at load_balancing_policy [lb.least_request,"
                    + " lb.random]"));
    FeatureUse custom = new FeatureUse(null, List.of("lb.example.custom"), "load_balancing_policy");
    assertThat(check.verdict(custom, XdsClient.GRPC_JAVA)).as("unknown to the model").isEmpty();
  }

  @Test
  void aPlainFeatureGetsItsEntrysStatus() {
    assertThat(
            check.verdict(
                FeatureUse.of(null, "retry_policy.per_try_timeout", "route.retry_policy"),
                XdsClient.GRPC_GO))
        .contains(
            new Verdict(
                Support.IGNORED,
                "per-try timeout of retries at route.retry_policy"
                    + " [retry_policy.per_try_timeout]"));
    assertThat(
            check.verdict(
                FeatureUse.of(null, "retry_policy.per_try_timeout", "route.retry_policy"),
                XdsClient.ENVOY))
        .map(Verdict::support)
        .contains(Support.SUPPORTED);
  }

  @Test
  void aBrokenModelNamesWhereItIsWrong() {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    String clients =
        "clients: {envoy: {}, grpc-java: {}, grpc-node: {}, grpc-core: {}, grpc-go: {}}\n";
    assertThatThrownBy(
            () ->
                Capabilities.parse(
                    yaml.readTree(
                        clients + "features: {x: {title: X, grpc-java: {status: maybe}}}")))
        .hasMessage("capabilities.yaml: features.x.grpc-java.status: unknown status 'maybe'");
    assertThatThrownBy(
            () ->
                Capabilities.parse(
                    yaml.readTree(clients + "features: {x: {title: X, grpc-rust: {}}}")))
        .hasMessage("capabilities.yaml: features.x.grpc-rust: unknown client grpc-rust");
    assertThatThrownBy(() -> Capabilities.parse(yaml.readTree("clients: {envoy: {}}")))
        .hasMessage("capabilities.yaml: clients lacks grpc-java");
  }
}
