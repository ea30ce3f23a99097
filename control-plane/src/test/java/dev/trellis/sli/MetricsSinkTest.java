package dev.trellis.sli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trellis.render.ProxyGroup;
import dev.trellis.render.RenderedGroup;
import dev.trellis.render.RenderedMesh;
import dev.trellis.serve.ControlPlane;
import dev.trellis.testing.GrpcMesh;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.metrics.v3.MetricsServiceGrpc;
import io.envoyproxy.envoy.service.metrics.v3.StreamMetricsMessage;
import io.envoyproxy.envoy.service.metrics.v3.StreamMetricsResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Proxies stream their statistics to the xDS port as Envoy's metrics service sink does; the admin
 * API shows each group's indicators and {@code /metrics} exports them.
 */
class MetricsSinkTest {

  private ControlPlane cp;
  private ManagedChannel channel;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    cp = ControlPlane.start(new ControlPlane.Options(loopback, loopback, Duration.ZERO));
    channel = NettyChannelBuilder.forAddress("127.0.0.1", cp.xdsPort()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    cp.close();
  }

  private String admin(String path) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cp.adminPort() + path)).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /** A stream that records how it ended. */
  static final class Ending implements StreamObserver<StreamMetricsResponse> {
    final CompletableFuture<Status> ended = new CompletableFuture<>();

    @Override
    public void onNext(StreamMetricsResponse value) {}

    @Override
    public void onError(Throwable t) {
      ended.complete(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      ended.complete(Status.OK);
    }
  }

  private void publishPayments() {
    cp.publish(
        new RenderedMesh(
            null,
            new TreeMap<>(
                Map.of(
                    "payments",
                    new RenderedGroup(
                        ProxyGroup.sidecar("payments"),
                        GrpcMesh.group("payments", "greeter", 8080).resources())))));
  }

  private static StreamMetricsMessage first(String nodeId, String cluster) {
    return StreamMetricsMessage.newBuilder()
        .setIdentifier(
            StreamMetricsMessage.Identifier.newBuilder()
                .setNode(Node.newBuilder().setId(nodeId).setCluster(cluster)))
        .addAllEnvoyMetrics(ProxySlisTest.report(1000, 10, new long[] {500, 900, 1000}))
        .build();
  }

  @Test
  void aSidecarsReportsBecomeItsGroupsIndicators() throws Exception {
    publishPayments();
    Ending ending = new Ending();
    StreamObserver<StreamMetricsMessage> stream =
        MetricsServiceGrpc.newStub(channel).streamMetrics(ending);
    stream.onNext(
        StreamMetricsMessage.newBuilder()
            .setIdentifier(
                StreamMetricsMessage.Identifier.newBuilder()
                    .setNode(Node.newBuilder().setId("payments-0").setCluster("payments")))
            .addAllEnvoyMetrics(ProxySlisTest.report(1000, 10, new long[] {500, 900, 1000}))
            .build());
    stream.onNext(
        StreamMetricsMessage.newBuilder()
            .addAllEnvoyMetrics(ProxySlisTest.report(1100, 12, new long[] {550, 990, 1100}))
            .build());

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> admin("/debug/slis").contains("\"requests\" : 100"));
    JsonNode payments = new ObjectMapper().readTree(admin("/debug/slis")).at("/groups/payments");
    assertThat(payments.path("proxies").asInt()).isEqualTo(1);
    assertThat(payments.path("errors_5xx").asLong()).isEqualTo(2);
    assertThat(payments.path("availability").asDouble()).isEqualTo(0.98);
    assertThat(payments.path("latency_p99_ms").asDouble()).isEqualTo(100 + 900 * 0.9);
    assertThat(admin("/metrics"))
        .contains("trellis_sli_availability_ratio{group=\"payments\"} 0.98")
        .contains("trellis_sli_latency_p99_milliseconds{group=\"payments\"} 910.0");

    stream.onCompleted();
    assertThat(ending.ended.get(10, TimeUnit.SECONDS).isOk()).isTrue();
  }

  @Test
  void reportsOfGroupsThatAreNotPublishedAreDropped() throws Exception {
    publishPayments();
    Ending ending = new Ending();
    StreamObserver<StreamMetricsMessage> stray =
        MetricsServiceGrpc.newStub(channel).streamMetrics(ending);
    stray.onNext(first("stray-0", "x".repeat(100_000)));
    stray.onNext(
        StreamMetricsMessage.newBuilder()
            .addAllEnvoyMetrics(ProxySlisTest.report(1100, 12, new long[] {550, 990, 1100}))
            .build());
    // The server answers a completed stream once it has handled every message before.
    stray.onCompleted();
    assertThat(ending.ended.get(10, TimeUnit.SECONDS).isOk()).isTrue();
    StreamObserver<StreamMetricsMessage> known =
        MetricsServiceGrpc.newStub(channel).streamMetrics(new Ending());
    known.onNext(first("payments-0", "payments"));
    known.onNext(
        StreamMetricsMessage.newBuilder()
            .addAllEnvoyMetrics(ProxySlisTest.report(1100, 12, new long[] {550, 990, 1100}))
            .build());
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> admin("/debug/slis").contains("\"requests\" : 100"));
    JsonNode groups = new ObjectMapper().readTree(admin("/debug/slis")).get("groups");
    assertThat(groups.size()).isEqualTo(1);
    assertThat(groups.has("payments")).isTrue();
    assertThat(admin("/metrics")).doesNotContain("xxxxxxxxxx");
  }

  @Test
  void aNodeIdBeyondTheLimitIsRefused() throws Exception {
    publishPayments();
    Ending ending = new Ending();
    MetricsServiceGrpc.newStub(channel)
        .streamMetrics(ending)
        .onNext(first("n".repeat(MetricsSink.MAX_NODE_ID_CHARS + 1), "payments"));

    Status status = ending.ended.get(10, TimeUnit.SECONDS);
    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription())
        .isEqualTo("node.id is 1025 characters long; at most 1024 are accepted");
  }

  @Test
  void aStreamThatDoesNotNameItsNodeIsRefused() throws Exception {
    Ending ending = new Ending();
    MetricsServiceGrpc.newStub(channel)
        .streamMetrics(ending)
        .onNext(
            StreamMetricsMessage.newBuilder()
                .addAllEnvoyMetrics(ProxySlisTest.report(1, 0, new long[] {1, 1, 1}))
                .build());

    Status status = ending.ended.get(10, TimeUnit.SECONDS);
    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription())
        .isEqualTo(
            "the first metrics message must identify its node, with node.cluster naming its group");
  }
}
