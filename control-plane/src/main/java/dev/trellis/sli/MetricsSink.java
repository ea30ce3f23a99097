package dev.trellis.sli;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.metrics.v3.MetricsServiceGrpc;
import io.envoyproxy.envoy.service.metrics.v3.StreamMetricsMessage;
import io.envoyproxy.envoy.service.metrics.v3.StreamMetricsResponse;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Envoy's metrics service ({@code envoy.stat_sinks.metrics_service}) on the xDS port: each stream
 * names its node in its first message, and every message's metrics go to {@link ProxySlis} under
 * the node's group ({@code node.cluster}).
 *
 * <p>Clients name their group and node themselves: reports of a group that is not published are
 * dropped (counted again once it is), and a node id over {@value #MAX_NODE_ID_CHARS} characters is
 * refused, so the indicators' memory and series follow the mesh, not what clients send.
 */
public final class MetricsSink extends MetricsServiceGrpc.MetricsServiceImplBase {

  /** Longer than any pod or host name a node id is built from (253 characters at most). */
  public static final int MAX_NODE_ID_CHARS = 1024;

  private final ProxySlis slis;
  private final Predicate<String> published;

  /**
   * @param published whether a group id is one of the published mesh's groups now
   */
  public MetricsSink(ProxySlis slis, Predicate<String> published) {
    this.slis = Objects.requireNonNull(slis, "slis");
    this.published = Objects.requireNonNull(published, "published");
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
        if (node.getId().length() > MAX_NODE_ID_CHARS) {
          refused = true;
          responses.onError(
              Status.INVALID_ARGUMENT
                  .withDescription(
                      "node.id is "
                          + node.getId().length()
                          + " characters long; at most "
                          + MAX_NODE_ID_CHARS
                          + " are accepted")
                  .asRuntimeException());
          return;
        }
        if (published.test(node.getCluster())) {
          slis.record(node.getCluster(), node.getId(), message.getEnvoyMetricsList());
        }
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
