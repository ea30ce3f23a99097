package dev.trellis.stream;

import dev.trellis.publish.SnapshotPublisher;
import dev.trellis.stream.RejectionMemory.Rejection;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.cache.Resources.ResourceType;
import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.controlplane.server.exception.RequestException;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.grpc.Status;
import java.time.Clock;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows every xDS stream through java-control-plane's callbacks: places its node in a group
 * (checking the stream's identity may have it), holds every later request on the stream to that
 * node and group, records per type what was sent (by nonce), ACKed and NACKed, and hands the stream
 * to {@link GuardedConfigWatcher} for the request being processed.
 *
 * <p>java-control-plane calls {@link #onV3StreamRequest} and then, on the same thread and for the
 * same request object, the config watcher; the hand-off relies on exactly that.
 */
final class ProxyTracker implements DiscoveryServerCallbacks {

  private static final Logger LOG = LoggerFactory.getLogger(ProxyTracker.class);
  private static final int LOGGED_GROUPS = 20;

  /** Client features kept per stream for /debug/proxies; real clients send a handful. */
  private static final int MAX_CLIENT_FEATURES = 32;

  /** Longest node id accepted (Envoy's are host or pod names). */
  static final int MAX_NODE_ID = 1024;

  /** Longest node cluster accepted (a group is a DNS label, with a "grpc:" prefix at most). */
  static final int MAX_CLUSTER = 256;

  static final String REFUSED_IDENTITY = "identity";
  static final String REFUSED_NODE_CHANGED = "node-changed";
  static final String REFUSED_INVALID = "invalid-node";
  static final String REFUSED_TOKEN = "token";

  /** The stream and type of the request being processed on this thread. */
  record Handoff(Object request, ProxyStream stream, ResourceType type, boolean firstOfType) {}

  private final SnapshotPublisher publisher;
  private final XdsMetrics metrics;
  private final RejectionMemory rejections;
  private final Clock clock;
  private final boolean insecureSds;
  private final ConcurrentMap<Long, ProxyStream> streams = new ConcurrentHashMap<>();
  private final ThreadLocal<Handoff> handoff = new ThreadLocal<>();

  /**
   * @param insecureSds send private keys to streams that did not authenticate too (local
   *     experiments only)
   */
  ProxyTracker(
      SnapshotPublisher publisher,
      XdsMetrics metrics,
      RejectionMemory rejections,
      Clock clock,
      boolean insecureSds) {
    this.publisher = publisher;
    this.metrics = metrics;
    this.rejections = rejections;
    this.clock = clock;
    this.insecureSds = insecureSds;
  }

  /** The hand-off for this request, if the tracker saw it on this thread (consumed once). */
  Handoff take(Object request) {
    Handoff h = handoff.get();
    handoff.remove();
    return h != null && h.request() == request ? h : null;
  }

  RejectionMemory rejections() {
    return rejections;
  }

  @Override
  public void onStreamOpen(long streamId, String typeUrl) {
    streams.put(streamId, new ProxyStream(streamId, typeUrl, clock.instant()));
  }

  @Override
  public void onStreamClose(long streamId, String typeUrl) {
    closed(streamId);
  }

  @Override
  public void onStreamCloseWithError(long streamId, String typeUrl, Throwable error) {
    closed(streamId);
  }

  private void closed(long streamId) {
    ProxyStream stream = streams.remove(streamId);
    if (stream != null && stream.node() != null) {
      metrics.disconnected(stream.group());
      LOG.debug("Node '{}' of group '{}' disconnected", stream.node().getId(), stream.group());
    }
  }

  @Override
  public void onV3StreamRequest(long streamId, DiscoveryRequest request) throws RequestException {
    ProxyStream stream = place(streamId, request.hasNode() ? request.getNode() : null, false);
    ResourceType type = typeOf(stream, request.getTypeUrl());
    TypeState state = stream.type(type);
    boolean first = state.firstRequest();
    String answered = state.versionAnswered(request.getResponseNonce());
    if (answered != null) {
      if (request.hasErrorDetail()) {
        nacked(stream, type, state, answered, request.getErrorDetail().getMessage(), Map.of());
      } else {
        acked(stream, type, state, answered);
      }
    }
    handoff.set(new Handoff(request, stream, type, first));
  }

  @Override
  public void onV3StreamDeltaRequest(long streamId, DeltaDiscoveryRequest request)
      throws RequestException {
    ProxyStream stream = place(streamId, request.hasNode() ? request.getNode() : null, true);
    ResourceType type = typeOf(stream, request.getTypeUrl());
    TypeState state = stream.type(type);
    boolean first = state.firstRequest();
    if (first && !request.getInitialResourceVersionsMap().isEmpty()) {
      // The client resumes: it holds these versions, and java-control-plane ignores them.
      state.assume(request.getInitialResourceVersionsMap());
      Rejection rejected = rejections.recall(stream.node().getId(), type);
      if (rejected != null) {
        state.assume(rejected.resources());
      }
    }
    state.unsubscribed(request.getResourceNamesUnsubscribeList());
    if (!request.getResponseNonce().isEmpty()) {
      DeltaDiscoveryResponse response = state.answer(request.getResponseNonce());
      if (response != null) {
        if (request.hasErrorDetail()) {
          Map<String, String> resources = new LinkedHashMap<>();
          for (Resource r : response.getResourcesList()) {
            resources.put(r.getName(), r.getVersion());
          }
          // Held as if the client had them, so java-control-plane does not send them again.
          state.assume(resources);
          nacked(
              stream,
              type,
              state,
              response.getSystemVersionInfo(),
              request.getErrorDetail().getMessage(),
              resources);
        } else {
          acked(stream, type, state, response.getSystemVersionInfo());
        }
      }
    }
    handoff.set(new Handoff(request, stream, type, first));
  }

  @Override
  public void onV3StreamResponse(
      long streamId, DiscoveryRequest request, DiscoveryResponse response) {
    ProxyStream stream = streams.get(streamId);
    ResourceType type = Resources.TYPE_URLS_TO_RESOURCE_TYPE.get(response.getTypeUrl());
    if (stream == null || stream.node() == null || type == null) {
      return;
    }
    stream
        .type(type)
        .sentSotw(
            response.getVersionInfo(),
            response.getNonce(),
            request.getResourceNamesList(),
            clock.instant(),
            System.nanoTime());
    metrics.pushed(stream.group(), plural(type));
  }

  @Override
  public void onV3StreamDeltaResponse(
      long streamId, DeltaDiscoveryRequest request, DeltaDiscoveryResponse response) {
    ProxyStream stream = streams.get(streamId);
    ResourceType type = Resources.TYPE_URLS_TO_RESOURCE_TYPE.get(response.getTypeUrl());
    if (stream == null || stream.node() == null || type == null) {
      return;
    }
    stream.type(type).sentDelta(response, clock.instant(), System.nanoTime());
    metrics.pushed(stream.group(), plural(type));
  }

  private ProxyStream place(long streamId, Node node, boolean delta) throws RequestException {
    ProxyStream stream =
        streams.computeIfAbsent(streamId, id -> new ProxyStream(id, "", clock.instant()));
    if (stream.node() != null) {
      if (node != null) {
        sameNode(stream, node);
      }
      return stream;
    }
    if (node == null) {
      metrics.refused(REFUSED_INVALID);
      throw new RequestException(
          Status.INVALID_ARGUMENT.withDescription(
              "The first request on an xDS stream must carry the node"));
    }
    // Refused before anything keeps them: the group and node id become metric labels and keys.
    tooLong("node id", node.getId(), MAX_NODE_ID);
    tooLong("node cluster", node.getCluster(), MAX_CLUSTER);
    String group = NodeGroup.groupOf(node);
    ProxyIdentity peer = PeerIdentity.KEY.get();
    if (peer != null) {
      Optional<String> denial = PeerIdentity.denial(peer, group);
      if (denial.isPresent()) {
        metrics.refused(REFUSED_IDENTITY);
        LOG.warn("Refused node '{}': {}", Printable.bounded(node.getId()), denial.get());
        throw new RequestException(Status.PERMISSION_DENIED.withDescription(denial.get()));
      }
    }
    if (stream.place(node, group, delta, peer, peer != null || insecureSds)) {
      boolean known = publisher.admit(group);
      metrics.connected(group);
      if (known) {
        LOG.debug("Node '{}' connected to group '{}'", node.getId(), group);
      } else if (publisher.firstPublishedAt().isPresent()) {
        List<String> groups = publisher.groups().keySet().stream().limit(LOGGED_GROUPS).toList();
        LOG.warn(
            "Node '{}' (cluster '{}', user agent '{}') belongs to group '{}', which is not"
                + " published; serving it an empty config. Published groups: {}{}",
            node.getId(),
            node.getCluster(),
            Printable.bounded(node.getUserAgentName()),
            group,
            groups,
            publisher.groups().size() > LOGGED_GROUPS ? " ..." : "");
      } else {
        LOG.info(
            "Node '{}' of group '{}' connected before the first publish; it waits for it",
            node.getId(),
            group);
      }
    }
    return stream;
  }

  /**
   * Closes the stream if a later request names another node or group than the stream was placed
   * with: the stream's identity (or lack of one) was checked for that group only.
   */
  private void sameNode(ProxyStream stream, Node node) throws RequestException {
    if (node.getId().equals(stream.node().getId())
        && NodeGroup.groupOf(node).equals(stream.group())) {
      return;
    }
    metrics.refused(REFUSED_NODE_CHANGED);
    LOG.warn(
        "Closed xDS stream {} of node '{}' (group '{}', {}): a later request named node '{}' of"
            + " group '{}'",
        stream.id,
        Printable.bounded(stream.node().getId()),
        Printable.bounded(stream.group()),
        stream.identity() != null ? stream.identity() : "unauthenticated",
        Printable.bounded(node.getId()),
        Printable.bounded(NodeGroup.groupOf(node)));
    throw new RequestException(
        Status.PERMISSION_DENIED.withDescription(
            "An xDS stream serves the node it was opened with (node '"
                + Printable.bounded(stream.node().getId())
                + "' of group '"
                + Printable.bounded(stream.group())
                + "'); open another stream for another node"));
  }

  private void tooLong(String what, String value, int max) throws RequestException {
    if (value.length() > max) {
      metrics.refused(REFUSED_INVALID);
      throw new RequestException(
          Status.INVALID_ARGUMENT.withDescription(
              "The "
                  + what
                  + " is "
                  + value.length()
                  + " characters long; at most "
                  + max
                  + " are accepted"));
    }
  }

  private static ResourceType typeOf(ProxyStream stream, String typeUrl) throws RequestException {
    String url = typeUrl.isEmpty() ? stream.defaultTypeUrl : typeUrl;
    ResourceType type = Resources.TYPE_URLS_TO_RESOURCE_TYPE.get(url);
    if (type == null) {
      throw new RequestException(
          Status.INVALID_ARGUMENT.withDescription(
              "Unsupported xDS type URL '"
                  + url
                  + "'; Trellis serves v3 Cluster, ClusterLoadAssignment, Listener,"
                  + " RouteConfiguration and Secret"));
    }
    return type;
  }

  private void acked(ProxyStream stream, ResourceType type, TypeState state, String version) {
    long latency = state.acked(version, clock.instant(), System.nanoTime());
    metrics.acked(stream.group(), plural(type), latency);
    String node = stream.node().getId();
    if (!node.isEmpty()) {
      rejections.forget(node, type);
    }
  }

  private void nacked(
      ProxyStream stream,
      ResourceType type,
      TypeState state,
      String version,
      String detail,
      Map<String, String> resources) {
    Nack nack = new Nack(version, detail, clock.instant()); // cuts a client's long detail
    state.nacked(nack);
    metrics.nacked(stream.group(), plural(type));
    String node = stream.node().getId();
    if (!node.isEmpty()) {
      rejections.remember(node, type, new Rejection(version, Map.copyOf(resources)));
    }
    LOG.warn(
        "Node '{}' of group '{}' rejected {} version {}; it keeps its last accepted config and is"
            + " not sent this version again: {}",
        node,
        stream.group(),
        plural(type),
        version,
        nack.errorDetail());
  }

  static String plural(ResourceType type) {
    return dev.trellis.render.ResourceType.valueOf(type.name()).plural();
  }

  /** Every placed stream, by node id then stream id. */
  List<ProxyStatus> proxies() {
    return streams.values().stream()
        .filter(s -> s.node() != null)
        .sorted(
            Comparator.comparing((ProxyStream s) -> s.node().getId()).thenComparingLong(s -> s.id))
        .map(this::status)
        .toList();
  }

  private ProxyStatus status(ProxyStream stream) {
    Map<String, TypeStatus> types = new LinkedHashMap<>();
    stream.types().forEach((type, state) -> types.put(plural(type), state.status()));
    Node node = stream.node();
    return new ProxyStatus(
        node.getId(),
        stream.group(),
        publisher.group(stream.group()).isPresent(),
        stream.id,
        stream.delta(),
        new ProxyStatus.Client(
            node.getUserAgentName(),
            node.getUserAgentVersion(),
            node.getClientFeaturesList().stream().limit(MAX_CLIENT_FEATURES).toList()),
        stream.openedAt,
        types);
  }
}
