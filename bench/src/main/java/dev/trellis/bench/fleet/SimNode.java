package dev.trellis.bench.fleet;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.Status;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * One simulated Envoy on one ADS stream: subscribes like Envoy (CDS and LDS as wildcards, then EDS
 * for the EDS clusters it got, RDS for the route configs its listeners name, SDS for the secrets
 * their TLS contexts load over ADS), ACKs or NACKs every response, keeps only names, hashes and
 * versions of what it holds, reconnects with jittered backoff (resending its subscriptions and,
 * over delta, the versions it holds), and records when each version arrived and was answered. Every
 * method runs under the node's lock: gRPC calls back one at a time per stream, and the scenario
 * thread reads through {@link #stats()}.
 */
public final class SimNode {

  /**
   * A consistent copy of a node's counters; times are {@link System#nanoTime} values, 0 = never.
   */
  public record Stats(
      long responses,
      long resources,
      long changedResources,
      long unchangedResources,
      long acks,
      long nacks,
      long lastReceivedNanos,
      long lastAnsweredNanos,
      long lastChangeAckNanos,
      long firstStreamNanos,
      long firstReadyNanos,
      long streamStartNanos,
      long streamReadyNanos,
      boolean streamAlive,
      int streams,
      int streamErrors) {}

  private final NodeSpec spec;
  private final Node node;
  private final Fleet fleet;
  private final int channel;
  private final TypeState[] types = new TypeState[XdsType.values().length];

  private int generation;
  private ClientCallStreamObserver<?> out;
  private boolean streamAlive;
  private int failedAttempts;

  private long responses;
  private long resources;
  private long changedResources;
  private long unchangedResources;
  private long acks;
  private long nacks;
  private long lastReceivedNanos;
  private long lastAnsweredNanos;
  private long lastChangeAckNanos;
  private long firstStreamNanos;
  private long firstReadyNanos;
  private long streamStartNanos;
  private long streamReadyNanos;
  private int streamErrors;

  SimNode(NodeSpec spec, Fleet fleet, int channel) {
    this.spec = spec;
    this.fleet = fleet;
    this.channel = channel;
    this.node =
        Node.newBuilder()
            .setId(spec.id())
            .setCluster(spec.group())
            .setUserAgentName("envoy")
            .build();
    for (XdsType t : XdsType.values()) {
      types[t.ordinal()] = new TypeState();
    }
  }

  public NodeSpec spec() {
    return spec;
  }

  public synchronized Stats stats() {
    return new Stats(
        responses,
        resources,
        changedResources,
        unchangedResources,
        acks,
        nacks,
        lastReceivedNanos,
        lastAnsweredNanos,
        lastChangeAckNanos,
        firstStreamNanos,
        firstReadyNanos,
        streamStartNanos,
        streamReadyNanos,
        streamAlive,
        generation,
        streamErrors);
  }

  /** The last few responses of {@code type}, oldest first. */
  public synchronized List<VersionEvent> history(XdsType type) {
    return types[type.ordinal()].history();
  }

  /** The version_info of the last accepted response of {@code type} ("" before any). */
  public synchronized String acceptedVersion(XdsType type) {
    return types[type.ordinal()].acceptedVersion;
  }

  /** The names of the resources of {@code type} held now. */
  public synchronized List<String> held(XdsType type) {
    return List.of(types[type.ordinal()].names);
  }

  /** Whether the node holds a complete config: CDS and LDS accepted, every named resource held. */
  public synchronized boolean ready() {
    return isReady();
  }

  // ---- stream lifecycle

  /** Opens a new stream and sends the node's subscriptions on it. */
  synchronized void connect() {
    if (fleet.closed()) {
      return;
    }
    int gen = ++generation;
    long now = System.nanoTime();
    streamStartNanos = now;
    streamReadyNanos = 0;
    if (firstStreamNanos == 0) {
      firstStreamNanos = now;
    }
    streamAlive = true;
    for (TypeState ts : types) {
      ts.nonce = "";
    }
    // Wait for the connection rather than fail fast: the fleet re-dials lost connections itself.
    var stub = AggregatedDiscoveryServiceGrpc.newStub(fleet.channel(channel)).withWaitForReady();
    if (fleet.mode() == XdsMode.SOTW) {
      out =
          (ClientCallStreamObserver<?>)
              stub.streamAggregatedResources(
                  new Observer<DiscoveryRequest, DiscoveryResponse>(gen));
      for (XdsType t : XdsType.values()) {
        TypeState ts = types[t.ordinal()];
        if (t.wildcard() || (ts.subscribed != null && ts.subscribed.length > 0)) {
          send(sotwRequest(t, ts).build());
        }
      }
    } else {
      out =
          (ClientCallStreamObserver<?>)
              stub.deltaAggregatedResources(
                  new Observer<DeltaDiscoveryRequest, DeltaDiscoveryResponse>(gen));
      for (XdsType t : XdsType.values()) {
        TypeState ts = types[t.ordinal()];
        if (t.wildcard() || (ts.subscribed != null && ts.subscribed.length > 0)) {
          DeltaDiscoveryRequest.Builder r = deltaRequest(t);
          if (!t.wildcard()) {
            r.addAllResourceNamesSubscribe(Arrays.asList(ts.subscribed));
          }
          for (int i = 0; i < ts.names.length; i++) {
            if (ts.versions[i] != null) {
              r.putInitialResourceVersions(ts.names[i], ts.versions[i]);
            }
          }
          send(r.build());
        }
      }
    }
  }

  /** Cancels the current stream (fleet shutdown). */
  synchronized void cancel() {
    streamAlive = false;
    if (out != null) {
      out.cancel("fleet closed", null);
    }
  }

  private synchronized void onReady(int gen) {
    if (gen == generation && streamReadyNanos == 0) {
      streamReadyNanos = System.nanoTime();
    }
  }

  private synchronized void onEnd(int gen) {
    if (gen != generation) {
      return;
    }
    streamAlive = false;
    streamErrors++;
    fleet.noteStreamEnd();
    fleet.reconnectLater(this, failedAttempts++);
  }

  // ---- state of the world

  private synchronized void onSotw(int gen, DiscoveryResponse r) {
    if (gen != generation) {
      return;
    }
    long now = received();
    XdsType t = XdsType.ofUrl(r.getTypeUrl());
    if (t == null) {
      return;
    }
    TypeState ts = types[t.ordinal()];
    String version = fleet.intern(r.getVersionInfo());
    resources += r.getResourcesCount();
    List<TypeState.Incoming> in = new ArrayList<>(r.getResourcesCount());
    String error = null;
    for (Any a : r.getResourcesList()) {
      try {
        in.add(incoming(t, a, null));
      } catch (InvalidProtocolBufferException e) {
        error = "cannot parse a " + t + " resource: " + e.getMessage();
      }
    }
    ts.nonce = r.getNonce();
    boolean nack = error != null || fleet.nack().nack(spec, t, version, ts.received);
    ts.received++;
    if (nack) {
      send(
          sotwRequest(t, ts)
              .setErrorDetail(
                  Status.newBuilder()
                      .setCode(3)
                      .setMessage(error != null ? error : "rejected by the bench's NACK policy"))
              .build());
      answered(ts, version, now, true, 0);
      return;
    }
    TypeState.Merge m = ts.merge(in, t.wildcard(), List.of());
    ts.acceptedVersion = version;
    ts.accepted = true;
    send(sotwRequest(t, ts).build());
    answered(ts, version, now, false, m.changed());
    unchangedResources += m.unchanged();
    changedResources += m.changed();
    if (t.wildcard()) {
      resubscribe(t == XdsType.CDS ? XdsType.EDS : XdsType.RDS);
      resubscribe(XdsType.SDS);
    }
    noteReady();
  }

  private DiscoveryRequest.Builder sotwRequest(XdsType t, TypeState ts) {
    return DiscoveryRequest.newBuilder()
        .setNode(node)
        .setTypeUrl(t.typeUrl())
        .setVersionInfo(ts.acceptedVersion)
        .setResponseNonce(ts.nonce)
        .addAllResourceNames(TypeState.list(ts.subscribed));
  }

  // ---- delta

  private synchronized void onDelta(int gen, DeltaDiscoveryResponse r) {
    if (gen != generation) {
      return;
    }
    long now = received();
    XdsType t = XdsType.ofUrl(r.getTypeUrl());
    if (t == null) {
      return;
    }
    TypeState ts = types[t.ordinal()];
    String version = fleet.intern(r.getSystemVersionInfo());
    resources += r.getResourcesCount();
    List<TypeState.Incoming> in = new ArrayList<>(r.getResourcesCount());
    String error = null;
    for (Resource res : r.getResourcesList()) {
      try {
        in.add(incoming(t, res.getResource(), res));
      } catch (InvalidProtocolBufferException e) {
        error = "cannot parse " + t + " resource '" + res.getName() + "': " + e.getMessage();
      }
    }
    ts.nonce = r.getNonce();
    boolean nack = error != null || fleet.nack().nack(spec, t, version, ts.received);
    ts.received++;
    DeltaDiscoveryRequest.Builder answer = deltaRequest(t).setResponseNonce(r.getNonce());
    if (nack) {
      answer.setErrorDetail(
          Status.newBuilder()
              .setCode(3)
              .setMessage(error != null ? error : "rejected by the bench's NACK policy"));
      send(answer.build());
      answered(ts, version, now, true, 0);
      return;
    }
    List<String> removed = new ArrayList<>(r.getRemovedResourcesCount());
    r.getRemovedResourcesList().forEach(n -> removed.add(fleet.intern(n)));
    TypeState.Merge m = ts.merge(in, false, removed);
    ts.acceptedVersion = version;
    ts.accepted = true;
    send(answer.build());
    answered(ts, version, now, false, m.changed());
    unchangedResources += m.unchanged();
    changedResources += m.changed();
    if (t.wildcard()) {
      resubscribe(t == XdsType.CDS ? XdsType.EDS : XdsType.RDS);
      resubscribe(XdsType.SDS);
    }
    noteReady();
  }

  private DeltaDiscoveryRequest.Builder deltaRequest(XdsType t) {
    return DeltaDiscoveryRequest.newBuilder().setNode(node).setTypeUrl(t.typeUrl());
  }

  // ---- common

  private long received() {
    long now = System.nanoTime();
    failedAttempts = 0;
    responses++;
    lastReceivedNanos = now;
    fleet.noteResponse(now);
    return now;
  }

  private TypeState.Incoming incoming(XdsType t, Any any, Resource delta)
      throws InvalidProtocolBufferException {
    XdsType.Parsed p = t.parse(any.getValue());
    String[] deps = p.dependents();
    for (int i = 0; i < deps.length; i++) {
      deps[i] = fleet.intern(deps[i]);
    }
    String[] secrets = p.secrets();
    for (int i = 0; i < secrets.length; i++) {
      secrets[i] = fleet.intern(secrets[i]);
    }
    String name = fleet.intern(delta != null ? delta.getName() : p.name());
    String version = delta != null ? fleet.intern(delta.getVersion()) : null;
    return new TypeState.Incoming(name, any.getValue().hashCode(), version, deps, secrets);
  }

  private void answered(
      TypeState ts, String version, long receivedNanos, boolean nack, int changed) {
    long now = System.nanoTime();
    lastAnsweredNanos = now;
    if (nack) {
      nacks++;
    } else {
      acks++;
      if (changed > 0) {
        lastChangeAckNanos = now;
      }
    }
    ts.record(version, receivedNanos, now, nack);
  }

  /** After CDS or LDS changed, subscribes to exactly the names they mention, like Envoy. */
  private void resubscribe(XdsType dep) {
    TypeState ts = types[dep.ordinal()];
    Set<String> names = new TreeSet<>();
    switch (dep) {
      case EDS -> types[XdsType.CDS.ordinal()].addDependentNames(names);
      case RDS -> types[XdsType.LDS.ordinal()].addDependentNames(names);
      default -> {
        types[XdsType.CDS.ordinal()].addSecretNames(names);
        types[XdsType.LDS.ordinal()].addSecretNames(names);
      }
    }
    String[] wanted = names.toArray(String[]::new);
    if (ts.subscribed != null && Arrays.equals(ts.subscribed, wanted)) {
      return;
    }
    Set<String> before = TypeState.set(ts.subscribed);
    ts.subscribed = wanted;
    ts.retainSubscribed();
    if (fleet.mode() == XdsMode.SOTW) {
      // An empty SotW request would mean "everything": Envoy sends none when nothing is wanted.
      if (wanted.length > 0) {
        send(sotwRequest(dep, ts).build());
      }
      return;
    }
    Set<String> after = TypeState.set(wanted);
    List<String> subscribe = after.stream().filter(n -> !before.contains(n)).toList();
    List<String> unsubscribe = before.stream().filter(n -> !after.contains(n)).toList();
    if (!subscribe.isEmpty() || !unsubscribe.isEmpty()) {
      send(
          deltaRequest(dep)
              .addAllResourceNamesSubscribe(subscribe)
              .addAllResourceNamesUnsubscribe(unsubscribe)
              .build());
    }
  }

  private void noteReady() {
    for (XdsType t : XdsType.values()) {
      TypeState ts = types[t.ordinal()];
      ts.complete = t.wildcard() ? ts.accepted : ts.holdsSubscribed();
    }
    if (firstReadyNanos == 0 && isReady()) {
      firstReadyNanos = lastAnsweredNanos;
    }
  }

  private boolean isReady() {
    for (XdsType t : XdsType.values()) {
      TypeState ts = types[t.ordinal()];
      if (!ts.complete || (!t.wildcard() && ts.subscribed == null)) {
        return false;
      }
    }
    return true;
  }

  @SuppressWarnings("unchecked")
  private void send(Object request) {
    try {
      ((ClientCallStreamObserver<Object>) out).onNext(request);
    } catch (RuntimeException e) {
      // The stream ended under us; onError follows and reconnects.
    }
  }

  /** Routes one stream's callbacks to the node, tagged with the stream's generation. */
  private final class Observer<ReqT, RespT> implements ClientResponseObserver<ReqT, RespT> {
    private final int gen;

    Observer(int gen) {
      this.gen = gen;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<ReqT> requestStream) {
      requestStream.setOnReadyHandler(() -> onReady(gen));
    }

    @Override
    public void onNext(RespT value) {
      if (value instanceof DiscoveryResponse r) {
        onSotw(gen, r);
      } else {
        onDelta(gen, (DeltaDiscoveryResponse) value);
      }
    }

    @Override
    public void onError(Throwable t) {
      onEnd(gen);
    }

    @Override
    public void onCompleted() {
      onEnd(gen);
    }
  }
}
