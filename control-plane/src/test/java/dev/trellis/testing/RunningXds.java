package dev.trellis.testing;

import dev.trellis.publish.PackedResources;
import dev.trellis.publish.PublishResult;
import dev.trellis.publish.SnapshotPublisher;
import dev.trellis.render.RenderedGroup;
import dev.trellis.stream.NodeGroup;
import dev.trellis.stream.ProxyStatus;
import dev.trellis.stream.XdsServer;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/** A publisher and an xDS server on an ephemeral loopback port, for tests. */
public final class RunningXds implements AutoCloseable {

  public final SnapshotPublisher publisher;
  public final XdsServer server;
  public final MeterRegistry registry;

  public RunningXds() {
    this(new SimpleMeterRegistry());
  }

  public RunningXds(MeterRegistry registry) {
    this.registry = registry;
    this.publisher =
        new SnapshotPublisher(new SimpleCache<>(new NodeGroup()), new PackedResources());
    try {
      this.server =
          XdsServer.start(
              new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), publisher, registry);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public PublishResult publish(RenderedGroup... groups) {
    return publisher.publish(List.of(groups));
  }

  public int port() {
    return server.port();
  }

  /** The one connected stream of this node (fails if there is not exactly one). */
  public ProxyStatus proxy(String nodeId) {
    List<ProxyStatus> matching =
        server.proxies().stream().filter(p -> p.nodeId().equals(nodeId)).toList();
    if (matching.size() != 1) {
      throw new AssertionError("expected one stream of node " + nodeId + ", got " + matching);
    }
    return matching.get(0);
  }

  @Override
  public void close() {
    server.close();
  }
}
