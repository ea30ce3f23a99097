package dev.trellis.sli;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.metrics.v3.MetricsServiceGrpc;
import io.envoyproxy.envoy.service.metrics.v3.StreamMetricsMessage;
import io.envoyproxy.envoy.service.metrics.v3.StreamMetricsResponse;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.Objects;

/**
 * Envoy's metrics service ({@code envoy.stat_sinks.metrics_service}) on the xDS port: each stream
 * names its node in its first message, and every message's metrics go to {@link ProxySlis} under
 * the node's group ({@code node.cluster}).
 */
public final class MetricsSink extends MetricsServiceGrpc.MetricsServiceImplBase {

  private final ProxySlis slis;

  public MetricsSink(ProxySlis slis) {
    this.slis = Objects.requireNonNull(slis, "slis");
  }

  @Override
  public StreamObserver<StreamMetricsMessage> streamMetrics(
      StreamObserver<StreamMetricsResponse> responses) {
    return new StreamObserver<>() {
      private Node node;
      private boolean refused;

      @Override
      public void onNext(StreamMetricsMessage message) {
        if (refused) {
          return;
        }
        if (message.hasIdentifier()) {
          node = message.getIdentifier().getNode();
        }
        if (node == null || node.getCluster().isEmpty()) {
          refused = true;
          responses.onError(
              Status.INVALID_ARGUMENT
                  .withDescription(
                      "the first metrics message must identify its node, with node.cluster naming"
                          + " its group")
                  .asRuntimeException());
          return;
        }
        slis.record(node.getCluster(), node.getId(), message.getEnvoyMetricsList());
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        if (refused) {
          return;
        }
        responses.onNext(StreamMetricsResponse.getDefaultInstance());
        responses.onCompleted();
      }
    };
  }
}
