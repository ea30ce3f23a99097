package dev.trellis.render;

import static dev.trellis.render.Protos.balancing;
import static dev.trellis.render.Protos.cluster;
import static dev.trellis.render.Protos.endpoints;
import static dev.trellis.render.Protos.route;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.Durations;
import dev.trellis.model.DefinitionTree;
import dev.trellis.model.Mesh;
import dev.trellis.model.load.DefinitionLoader;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers.Thresholds;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.envoyproxy.envoy.config.core.v3.RoutingPriority;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Traffic policy from definitions (loaded from YAML) to sidecar and proxyless gRPC config. */
class TrafficPolicyRenderTest {

  private static final String MESH =
      """
      trafficDefaults:
        timeout: 4s
        retries: {perTryTimeout: 700ms, budget: {percent: 25, minConcurrency: 4}}
        circuitBreakers: {maxRequests: 900}
        outlierDetection: {consecutive5xx: 6}
      """;

  private static final String WEB =
      """
      name: web
      owner: team-web
      protocol: http
      port: 8080
      sidecar: true
      dependencies:
        - name: orders
          timeout: 2s
          retries:
            attempts: 3
            on: [5xx, connect-failure]
            perTryTimeout: 500ms
            budget: {percent: 10, minConcurrency: 2}
          circuitBreakers: {maxConnections: 100, maxPendingRequests: 10, maxRequests: 200}
          outlierDetection:
            consecutive5xx: 5
            consecutiveGatewayErrors: 3
            baseEjectionTime: 30s
            maxEjectionPercent: 50
          lb: round_robin
        - name: stock
          retries: 2
        - name: search
          lb: ring_hash
      """;

  private static final String APP =
      """
      name: app
      owner: team-app
      protocol: grpc
      port: 9000
      dependencies:
        - name: stock
          timeout: 300ms
          retries: {attempts: 2, on: [connect-failure, reset, resource-exhausted, 5xx]}
          lb: random
        - name: search
      """;

  private static RenderedMesh render() {
    Map<String, String> files = new TreeMap<>();
    files.put("mesh.yaml", MESH);
    files.put("services/web.yaml", WEB);
    files.put("services/app.yaml", APP);
    files.put(
        "services/orders.yaml",
        "name: orders\nowner: o\nprotocol: http\nport: 8080\nsidecar: true\nendpoints:\n"
            + "  static:\n"
            + "    - {address: \"10.0.0.1:8080\", zone: zone-a}\n"
            + "    - {address: \"10.0.0.2:8080\", zone: zone-b}\n"
            + "    - {address: \"10.0.0.3:8080\", zone: zone-b}\n");
    files.put(
        "services/stock.yaml",
        "name: stock\nowner: s\nprotocol: grpc\nport: 9090\nendpoints: {static: [\"10.0.1.1:9090\"]}\n");
    files.put(
        "services/search.yaml",
        "name: search\nowner: s\nprotocol: grpc\nport: 9091\nendpoints: {static: [\"10.0.2.1:9091\"]}\n");
    Mesh mesh = DefinitionLoader.load(new DefinitionTree(new TreeMap<>(files))).orElseThrow();
    return new MeshRenderer().render(mesh);
  }

  private static final RenderedMesh RENDERED = render();
  private static final RenderedGroup WEB_SIDECAR = RENDERED.groups().get("web");
  private static final RenderedGroup APP_GRPC = RENDERED.groups().get("grpc:app");

  private static RouteAction outbound(String dependency) {
    return route(WEB_SIDECAR, "outbound").getVirtualHostsList().stream()
        .filter(v -> v.getName().equals(dependency))
        .map(VirtualHost::getRoutesList)
        .findFirst()
        .orElseThrow()
        .get(0)
        .getRoute();
  }

  @Test
  void aDependencysClusterCarriesItsBalancingBreakersBudgetAndOutlierDetection() {
    Cluster orders = cluster(WEB_SIDECAR, "orders");
    assertThat(orders.getLbPolicy()).isEqualTo(Cluster.LbPolicy.ROUND_ROBIN);
    assertThat(orders.getCommonLbConfig().hasLocalityWeightedLbConfig()).isTrue();

    Thresholds t = orders.getCircuitBreakers().getThresholds(0);
    assertThat(t.getPriority()).isEqualTo(RoutingPriority.DEFAULT);
    assertThat(t.getMaxConnections().getValue()).isEqualTo(100);
    assertThat(t.getMaxPendingRequests().getValue()).isEqualTo(10);
    assertThat(t.getMaxRequests().getValue()).isEqualTo(200);
    assertThat(t.getRetryBudget().getBudgetPercent().getValue()).isEqualTo(10.0);
    assertThat(t.getRetryBudget().getMinRetryConcurrency().getValue()).isEqualTo(2);

    OutlierDetection od = orders.getOutlierDetection();
    assertThat(od.getConsecutive5Xx().getValue()).isEqualTo(5);
    assertThat(od.getConsecutiveGatewayFailure().getValue()).isEqualTo(3);
    // Envoy counts consecutive gateway failures without acting on them unless enforced.
    assertThat(od.getEnforcingConsecutiveGatewayFailure().getValue()).isEqualTo(100);
    assertThat(od.getBaseEjectionTime()).isEqualTo(Durations.fromSeconds(30));
    assertThat(od.getMaxEjectionPercent().getValue()).isEqualTo(50);
  }

  @Test
  void aDependencysRouteCarriesItsTimeoutAndRetryPolicy() {
    RouteAction orders = outbound("orders");
    assertThat(orders.getTimeout()).isEqualTo(Durations.fromSeconds(2));
    RetryPolicy retry = orders.getRetryPolicy();
    assertThat(retry.getRetryOn()).isEqualTo("5xx,connect-failure");
    assertThat(retry.getNumRetries().getValue()).isEqualTo(3);
    assertThat(retry.getPerTryTimeout()).isEqualTo(Durations.fromMillis(500));
    assertThat(retry.getRetryHostPredicate(0).getName())
        .isEqualTo("envoy.retry_host_predicates.previous_hosts");
    assertThat(retry.getRetryHostPredicate(0).getTypedConfig().is(PreviousHostsPredicate.class))
        .isTrue();
  }

  @Test
  void whatADependencyLeavesOutComesFromTheMeshDefaultsThenLeastRequest() {
    RouteAction stock = outbound("stock");
    assertThat(stock.getTimeout()).isEqualTo(Durations.fromSeconds(4));
    assertThat(stock.getRetryPolicy().getNumRetries().getValue()).isEqualTo(2);
    assertThat(stock.getRetryPolicy().getPerTryTimeout()).isEqualTo(Durations.fromMillis(700));
    // A gRPC callee behind a sidecar: the default conditions include gRPC status names.
    assertThat(stock.getRetryPolicy().getRetryOn())
        .isEqualTo("connect-failure,refused-stream,unavailable,cancelled,resource-exhausted");

    Cluster cluster = cluster(WEB_SIDECAR, "stock");
    assertThat(cluster.getLbPolicy()).isEqualTo(Cluster.LbPolicy.LEAST_REQUEST);
    Thresholds t = cluster.getCircuitBreakers().getThresholds(0);
    assertThat(t.getMaxRequests().getValue()).isEqualTo(900);
    assertThat(t.hasMaxConnections()).isFalse();
    assertThat(t.getRetryBudget().getBudgetPercent().getValue()).isEqualTo(25.0);
    assertThat(cluster.getOutlierDetection().getConsecutive5Xx().getValue()).isEqualTo(6);
    assertThat(cluster.getOutlierDetection().hasConsecutiveGatewayFailure()).isFalse();
  }

  @Test
  void withoutRetriesThereIsNoRetryPolicy() {
    assertThat(outbound("search").hasRetryPolicy()).isFalse();
    assertThat(outbound("search").getTimeout()).isEqualTo(Durations.fromSeconds(4));
  }

  @Test
  void ringHashKeepsNoLocalityWeights() {
    Cluster search = cluster(WEB_SIDECAR, "search");
    assertThat(search.getLbPolicy()).isEqualTo(Cluster.LbPolicy.RING_HASH);
    assertThat(search.hasCommonLbConfig()).isFalse();
  }

  @Test
  void zonedEndpointsBecomeOneWeightedLocalityPerZone() {
    var localities = endpoints(WEB_SIDECAR, "orders").getEndpointsList();
    assertThat(localities)
        .extracting(l -> l.getLocality().getZone(), l -> l.getLoadBalancingWeight().getValue())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("zone-a", 1),
            org.assertj.core.groups.Tuple.tuple("zone-b", 2));
    assertThat(localities.get(1).getLbEndpointsList()).hasSize(2);
    assertThat(localities).allMatch(LocalityLbEndpoints::hasLoadBalancingWeight);
  }

  @Test
  void proxylessClientsGetWhatGrpcXdsHonours() {
    Cluster stock = cluster(APP_GRPC, "stock");
    // Each client takes the first policy it has; grpc-java has no random.
    assertThat(balancing(stock))
        .containsExactly("wrr_locality[random, round_robin]", "random", "round_robin");
    assertThat(stock.getCircuitBreakers().getThresholds(0).getMaxRequests().getValue())
        .isEqualTo(900);

    RouteAction route = route(APP_GRPC, "stock").getVirtualHosts(0).getRoutes(0).getRoute();
    assertThat(route.getMaxStreamDuration().getMaxStreamDuration())
        .isEqualTo(Durations.fromMillis(300));
    // Transport failures become UNAVAILABLE; 5xx too; gRPC names stay.
    assertThat(route.getRetryPolicy().getRetryOn()).isEqualTo("unavailable,resource-exhausted");
    assertThat(route.getRetryPolicy().getNumRetries().getValue()).isEqualTo(2);

    assertThat(balancing(cluster(APP_GRPC, "search")))
        .containsExactly(
            "wrr_locality[least_request, round_robin]", "least_request", "round_robin");
    RouteAction search = route(APP_GRPC, "search").getVirtualHosts(0).getRoutes(0).getRoute();
    assertThat(search.getMaxStreamDuration().getMaxStreamDuration())
        .isEqualTo(Durations.fromSeconds(4));
    assertThat(search.hasRetryPolicy()).isFalse();
  }

  @Test
  void grpcRetryConditionsMapTransportFailuresToUnavailable() {
    assertThat(PolicyModel.grpcRetryOn("5xx,reset,connect-failure")).isEqualTo("unavailable");
    assertThat(PolicyModel.grpcRetryOn("cancelled,connect-failure,unavailable,internal"))
        .isEqualTo("cancelled,unavailable,internal");
    assertThat(PolicyModel.grpcRetryOn("retriable-4xx,envoy-ratelimited")).isEmpty();
  }
}
