package dev.trellis.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.trellis.render.ResourceType;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A raw ADS client on java-control-plane's generated stub: one stream, SotW or delta, whose
 * responses are queued in arrival order. Every wait is bounded.
 */
public final class AdsStub<Q, R> implements AutoCloseable {

  public static final Duration WAIT = Duration.ofSeconds(30);

  private final ManagedChannel channel;
  private final StreamObserver<Q> requests;
  private final BlockingQueue<Object> queue;

  private AdsStub(ManagedChannel channel, StreamObserver<Q> requests, BlockingQueue<Object> q) {
    this.channel = channel;
    this.requests = requests;
    this.queue = q;
  }

  public static AdsStub<DiscoveryRequest, DiscoveryResponse> sotw(int port) {
    return sotw(channel(port));
  }

  /**
   * A SotW stream on this channel (e.g. one with TLS credentials); closing it closes the channel.
   */
  public static AdsStub<DiscoveryRequest, DiscoveryResponse> sotw(ManagedChannel channel) {
    BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    StreamObserver<DiscoveryRequest> requests =
        AggregatedDiscoveryServiceGrpc.newStub(channel).streamAggregatedResources(collect(queue));
    return new AdsStub<>(channel, requests, queue);
  }

  /** A SotW stream on this channel sending these headers (e.g. authorization). */
  public static AdsStub<DiscoveryRequest, DiscoveryResponse> sotw(
      ManagedChannel channel, io.grpc.Metadata headers) {
    BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    StreamObserver<DiscoveryRequest> requests =
        AggregatedDiscoveryServiceGrpc.newStub(channel)
            .withInterceptors(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(headers))
            .streamAggregatedResources(collect(queue));
    return new AdsStub<>(channel, requests, queue);
  }

  /** A plaintext channel to this loopback port. */
  public static ManagedChannel plaintext(int port) {
    return channel(port);
  }

  public static AdsStub<DeltaDiscoveryRequest, DeltaDiscoveryResponse> delta(int port) {
    return delta(channel(port));
  }

  /** A delta stream on this channel; closing it closes the channel. */
  public static AdsStub<DeltaDiscoveryRequest, DeltaDiscoveryResponse> delta(
      ManagedChannel channel) {
    BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    StreamObserver<DeltaDiscoveryRequest> requests =
        AggregatedDiscoveryServiceGrpc.newStub(channel).deltaAggregatedResources(collect(queue));
    return new AdsStub<>(channel, requests, queue);
  }

  private static ManagedChannel channel(int port) {
    return NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
  }

  private static <T> StreamObserver<T> collect(BlockingQueue<Object> queue) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        queue.add(value);
      }

      @Override
      public void onError(Throwable t) {
        queue.add(t);
      }

      @Override
      public void onCompleted() {
        queue.add(new IllegalStateException("stream completed"));
      }
    };
  }

  public static Node node(String id, String cluster, String userAgent) {
    return Node.newBuilder().setId(id).setCluster(cluster).setUserAgentName(userAgent).build();
  }

  /** An Envoy node of {@code cluster} asking for its {@code identity} and {@code trust_bundle}. */
  public static DiscoveryRequest secretsRequest(String cluster) {
    return DiscoveryRequest.newBuilder()
        .setNode(node(cluster + "-1", cluster, "envoy"))
        .setTypeUrl(ResourceType.SECRET.typeUrl())
        .addResourceNames("identity")
        .addResourceNames("trust_bundle")
        .build();
  }

  /** {@link #secretsRequest}, as a delta subscription. */
  public static DeltaDiscoveryRequest deltaSecretsRequest(String cluster) {
    return DeltaDiscoveryRequest.newBuilder()
        .setNode(node(cluster + "-1", cluster, "envoy"))
        .setTypeUrl(ResourceType.SECRET.typeUrl())
        .addResourceNamesSubscribe("identity")
        .addResourceNamesSubscribe("trust_bundle")
        .build();
  }

  /** The secrets these resources hold; any other resource fails the test. */
  public static List<Secret> secrets(List<Any> resources) {
    List<Secret> secrets = new ArrayList<>();
    for (Any any : resources) {
      try {
        secrets.add(any.unpack(Secret.class));
      } catch (InvalidProtocolBufferException e) {
        throw new AssertionError("not a Secret: " + any.getTypeUrl(), e);
      }
    }
    return secrets;
  }

  public AdsStub<Q, R> send(Q request) {
    synchronized (requests) {
      requests.onNext(request);
    }
    return this;
  }

  /** The next response, failing if none arrives within {@link #WAIT}. */
  @SuppressWarnings("unchecked")
  public R next() {
    Object o = poll(WAIT);
    assertThat(o).as("a response within %s", WAIT).isNotNull();
    if (o instanceof Throwable t) {
      throw new AssertionError("stream failed", t);
    }
    return (R) o;
  }

  /** The error that ended the stream, failing if a response or nothing arrives instead. */
  public Throwable error() {
    Object o = poll(WAIT);
    assertThat(o).as("the stream to fail within %s", WAIT).isInstanceOf(Throwable.class);
    return (Throwable) o;
  }

  /** Asserts that nothing arrives for this long (no resend loop, no unexpected push). */
  public void expectSilence(Duration quiet) {
    Object o = poll(quiet);
    assertThat(o).as("no response within %s", quiet).isNull();
  }

  public List<Object> drain() {
    List<Object> all = new ArrayList<>();
    queue.drainTo(all);
    return all;
  }

  private Object poll(Duration d) {
    try {
      return queue.poll(d.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    try {
      synchronized (requests) {
        requests.onCompleted();
      }
    } catch (RuntimeException ignored) {
      // already closed
    }
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
