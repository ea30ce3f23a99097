package dev.trellis.stream;

import com.google.common.collect.ImmutableSet;
import com.google.protobuf.Message;
import dev.trellis.stream.ProxyTracker.Handoff;
import dev.trellis.stream.RejectionMemory.Rejection;
import io.envoyproxy.controlplane.cache.ConfigWatcher;
import io.envoyproxy.controlplane.cache.DeltaResponse;
import io.envoyproxy.controlplane.cache.DeltaWatch;
import io.envoyproxy.controlplane.cache.DeltaXdsRequest;
import io.envoyproxy.controlplane.cache.Resources.ResourceType;
import io.envoyproxy.controlplane.cache.Response;
import io.envoyproxy.controlplane.cache.SnapshotCache;
import io.envoyproxy.controlplane.cache.VersionedResource;
import io.envoyproxy.controlplane.cache.Watch;
import io.envoyproxy.controlplane.cache.XdsRequest;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts Trellis' stream policies in front of java-control-plane's {@code SimpleCache} by adjusting
 * what each request tells it:
 *
 * <ul>
 *   <li>One node per stream: the cache is always shown the node the stream was placed with (and
 *       checked for), whatever node a request names; {@link ProxyTracker} closes a stream whose
 *       request names another.
 *   <li>Keys: a stream that did not authenticate is sent no secret holding a private key.
 *   <li>NACK: a version a proxy rejected is not sent to it again. The request is presented as if
 *       the proxy held the current version, so the cache keeps the watch open until a new snapshot
 *       version arrives (the proxy stays on its last accepted config meanwhile). The same holds on
 *       a reconnect of a node that still has a config. Only a changed subscription (new names) is
 *       answered, once.
 *   <li>Missing names: every request is answered, even for names the snapshot lacks. The cache's
 *       ADS mode stays silent then, and when such a request also newly names a resource it has, it
 *       drops the watch, so even later snapshots are not sent. A SotW response without a listener
 *       or cluster tells Envoy it does not exist (grpc-java still waits for its 15 s timer for a
 *       name it never had); a delta response lists the name in removed_resources.
 *   <li>Delta resume: versions a reconnecting client announces in initial_resource_versions are
 *       treated as held, so unchanged resources are not sent again.
 *   <li>First snapshot: a delta request whose group has no snapshot yet (proxies reconnecting to a
 *       restarted server before its first publish) waits in {@link FirstSnapshotWait} and is
 *       processed by these rules once the snapshot is set.
 * </ul>
 */
final class GuardedConfigWatcher implements ConfigWatcher {

  private static final Logger LOG = LoggerFactory.getLogger(GuardedConfigWatcher.class);

  private final ConfigWatcher cache;
  private final SnapshotCache<String, Snapshot> snapshots;
  private final ProxyTracker tracker;
  private final FirstSnapshotWait firstSnapshot;

  GuardedConfigWatcher(
      SnapshotCache<String, Snapshot> cache,
      ProxyTracker tracker,
      FirstSnapshotWait firstSnapshot) {
    this.cache = cache;
    this.snapshots = cache;
    this.tracker = tracker;
    this.firstSnapshot = firstSnapshot;
  }

  @Override
  public Watch createWatch(
      boolean ads,
      XdsRequest request,
      Set<String> knownResourceNames,
      Consumer<Response> responseConsumer,
      boolean hasClusterChanged,
      boolean allowDefaultEmptyEdsUpdate) {
    // ads=false throughout: the cache then answers with the resources it has instead of nothing.
    Handoff handoff = tracker.take(request.v3Request());
    if (handoff == null) {
      // Never seen by the tracker, so not checked against the stream's identity: answer nothing.
      LOG.error("xDS request not seen by the stream tracker; not answered");
      return new Watch(false, false, request, responseConsumer);
    }
    if (!handoff.stream().keys() && handoff.type() == ResourceType.SECRET) {
      responseConsumer = withoutKeys(responseConsumer);
    }
    // Not held until the first snapshot (unlike delta): the cache then compares only versions, so
    // a proxy resuming with the version it holds is sent nothing; a watch created after the
    // snapshot would be answered at once for names new on the stream, which all are.
    return guardedWatch(
        handoff,
        request,
        knownResourceNames,
        responseConsumer,
        hasClusterChanged,
        allowDefaultEmptyEdsUpdate);
  }

  private Watch guardedWatch(
      Handoff handoff,
      XdsRequest request,
      Set<String> knownResourceNames,
      Consumer<Response> responseConsumer,
      boolean hasClusterChanged,
      boolean allowDefaultEmptyEdsUpdate) {
    ProxyStream stream = handoff.stream();
    DiscoveryRequest original = request.v3Request();
    DiscoveryRequest.Builder rewrite = null;
    if (original.getNode() != stream.node()) {
      // The cache places each request by its node: always the stream's, checked at placement
      // (Envoy may send the node on the first request only).
      rewrite = original.toBuilder().setNode(stream.node());
    }
    Snapshot snapshot = snapshots.getSnapshot(stream.group());
    if (snapshot != null && !stream.keys() && handoff.type() == ResourceType.SECRET) {
      // Keys withheld are not asked of the cache at all: it would see them as new names never
      // sent and answer every ACK again.
      Map<String, ? extends Message> secrets = snapshot.resources(ResourceType.SECRET);
      List<String> names = original.getResourceNamesList();
      List<String> allowed =
          names.stream().filter(n -> !secrets.containsKey(n) || !holdsKey(secrets.get(n))).toList();
      if (allowed.size() != names.size()) {
        if (allowed.isEmpty()) {
          // No names would mean all of them (a wildcard request): answer nothing instead.
          return new Watch(false, false, request, responseConsumer);
        }
        rewrite =
            (rewrite != null ? rewrite : original.toBuilder())
                .clearResourceNames()
                .addAllResourceNames(allowed);
        original = rewrite.build();
        request = XdsRequest.create(original);
        knownResourceNames =
            ImmutableSet.copyOf(knownResourceNames.stream().filter(allowed::contains).iterator());
      }
    }
    if (snapshot != null) {
      ResourceType type = handoff.type();
      String current = snapshot.version(type);
      TypeState state = stream.type(type);
      List<String> names = original.getResourceNamesList();
      if (holds(handoff, state, current, names, original.getVersionInfo())) {
        DiscoveryRequest held =
            (rewrite != null ? rewrite : original.toBuilder()).setVersionInfo(current).build();
        // Known names = requested names: the cache's "new names" shortcut must not respond either.
        return cache.createWatch(
            false,
            XdsRequest.create(held),
            ImmutableSet.copyOf(names),
            responseConsumer,
            false,
            false);
      }
      if (!state.answered(names) && anyAbsent(snapshot, type, state.unanswered(names))) {
        // A different version makes the cache answer now with what exists.
        rewrite = (rewrite != null ? rewrite : original.toBuilder()).setVersionInfo("");
      }
    }
    return cache.createWatch(
        false,
        rewrite == null ? request : XdsRequest.create(rewrite.build()),
        knownResourceNames,
        responseConsumer,
        hasClusterChanged,
        allowDefaultEmptyEdsUpdate);
  }

  /** Whether to hold this request's watch until the snapshot's version of its type changes. */
  private boolean holds(
      Handoff handoff, TypeState state, String current, List<String> names, String versionInfo) {
    Nack nack = state.lastNack();
    if (nack != null && nack.version().equals(current)) {
      return state.answered(names);
    }
    String node = handoff.stream().node().getId();
    if (handoff.firstOfType() && !versionInfo.isEmpty() && !node.isEmpty()) {
      // A reconnect: the node holds a config (version_info) and rejected the current version.
      Rejection rejection = tracker.rejections().recall(node, handoff.type());
      return rejection != null && rejection.version().equals(current);
    }
    return false;
  }

  private static boolean anyAbsent(Snapshot snapshot, ResourceType type, Set<String> names) {
    Map<String, ?> present = snapshot.resources(type);
    for (String name : names) {
      if (!present.containsKey(name)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public DeltaWatch createDeltaWatch(
      DeltaXdsRequest request,
      String requesterVersion,
      Map<String, String> resourceVersions,
      Set<String> pendingResources,
      boolean isWildcard,
      Consumer<DeltaResponse> responseConsumer,
      boolean hasClusterChanged) {
    Handoff handoff = tracker.take(request.v3Request());
    if (handoff == null) {
      LOG.error("Delta xDS request not seen by the stream tracker; not answered");
      return new DeltaWatch(
          request,
          Map.copyOf(resourceVersions),
          Set.copyOf(pendingResources),
          requesterVersion,
          isWildcard,
          responseConsumer);
    }
    Consumer<DeltaResponse> consumer =
        !handoff.stream().keys() && handoff.type() == ResourceType.SECRET
            ? withoutDeltaKeys(responseConsumer)
            : responseConsumer;
    ProxyStream stream = handoff.stream();
    if (snapshots.getSnapshot(stream.group()) == null) {
      DeltaWatch placeholder =
          new DeltaWatch(
              request,
              Map.copyOf(resourceVersions),
              Set.copyOf(pendingResources),
              requesterVersion,
              isWildcard,
              consumer);
      if (firstSnapshot.hold(
          stream.group(),
          stream.node(),
          placeholder,
          // The server's own maps change with its next request: the placeholder holds copies.
          () ->
              guardedDeltaWatch(
                  handoff,
                  request,
                  requesterVersion,
                  placeholder.trackedResources(),
                  placeholder.pendingResources(),
                  isWildcard,
                  consumer,
                  hasClusterChanged))) {
        return placeholder;
      }
    }
    return guardedDeltaWatch(
        handoff,
        request,
        requesterVersion,
        resourceVersions,
        pendingResources,
        isWildcard,
        consumer,
        hasClusterChanged);
  }

  private DeltaWatch guardedDeltaWatch(
      Handoff handoff,
      DeltaXdsRequest request,
      String requesterVersion,
      Map<String, String> resourceVersions,
      Set<String> pendingResources,
      boolean isWildcard,
      Consumer<DeltaResponse> responseConsumer,
      boolean hasClusterChanged) {
    ProxyStream stream = handoff.stream();
    DeltaDiscoveryRequest original = request.v3Request();
    DeltaXdsRequest effective =
        original.getNode() == stream.node()
            ? request
            : DeltaXdsRequest.create(original.toBuilder().setNode(stream.node()).build());
    Map<String, String> tracked = resourceVersions;
    Set<String> pending = pendingResources;
    String version = requesterVersion;
    Snapshot snapshot = snapshots.getSnapshot(stream.group());
    if (snapshot != null) {
      ResourceType type = handoff.type();
      TypeState state = stream.type(type);
      Map<String, String> assumed = state.assumed();
      if (!assumed.isEmpty()) {
        // What the client holds beyond java-control-plane's tracking: resumed or rejected versions.
        tracked = new HashMap<>(resourceVersions);
        tracked.putAll(assumed);
        pending = new HashSet<>(pendingResources);
        pending.removeAll(assumed.keySet());
      }
      if (!stream.keys() && type == ResourceType.SECRET) {
        // Keys withheld count as held at their current version: the cache then never sends them
        // (nor re-sends them on every request as still pending).
        tracked = new HashMap<>(tracked);
        pending = new HashSet<>(pending);
        for (var e : snapshot.versionedResources(type).entrySet()) {
          if (holdsKey(e.getValue().resource())) {
            tracked.put(e.getKey(), e.getValue().version());
            pending.remove(e.getKey());
          }
        }
      }
      Map<String, ?> present = snapshot.resources(type);
      Set<String> absent = new HashSet<>();
      for (String name : pending) {
        if (!"*".equals(name) && !present.containsKey(name) && !state.answeredAbsent(name)) {
          absent.add(name);
        }
      }
      if (!absent.isEmpty()) {
        // Tracked but not in the snapshot = removed: the delta way to say "does not exist".
        tracked = new HashMap<>(tracked);
        for (String name : absent) {
          tracked.put(name, "");
        }
        version = "";
        state.answerAbsent(absent);
      }
    }
    return cache.createDeltaWatch(
        effective, version, tracked, pending, isWildcard, responseConsumer, hasClusterChanged);
  }

  /**
   * Whether a secret holds a private key (anything but a validation context: trust bundles may go
   * to any stream, keys only to the stream authenticated as their identity).
   */
  static boolean holdsKey(Message resource) {
    return !(resource instanceof Secret secret)
        || secret.getTypeCase() != Secret.TypeCase.VALIDATION_CONTEXT;
  }

  private static Consumer<Response> withoutKeys(Consumer<Response> consumer) {
    return response -> {
      List<Message> kept = new ArrayList<>();
      for (Message m : response.resources()) {
        if (!holdsKey(m)) {
          kept.add(m);
        }
      }
      consumer.accept(
          kept.size() == response.resources().size()
              ? response
              : Response.create(response.request(), kept, response.version()));
    };
  }

  private static Consumer<DeltaResponse> withoutDeltaKeys(Consumer<DeltaResponse> consumer) {
    return response -> {
      Map<String, VersionedResource<?>> kept = new LinkedHashMap<>();
      response
          .resources()
          .forEach(
              (name, versioned) -> {
                if (!holdsKey(versioned.resource())) {
                  kept.put(name, versioned);
                }
              });
      consumer.accept(
          kept.size() == response.resources().size()
              ? response
              : DeltaResponse.create(
                  response.request(), kept, response.removedResources(), response.version()));
    };
  }
}
