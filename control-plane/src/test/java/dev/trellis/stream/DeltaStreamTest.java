package dev.trellis.stream;

import static io.envoyproxy.controlplane.cache.Resources.V3.CLUSTER_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.ENDPOINT_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.LISTENER_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.ROUTE_TYPE_URL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.Status;
import dev.trellis.render.RenderedGroup;
import dev.trellis.testing.AdsStub;
import dev.trellis.testing.GrpcMesh;
import dev.trellis.testing.RunningXds;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Delta ADS against a raw stub client: NACK policy, resume from initial versions, absence. */
class DeltaStreamTest {

  private static final Node WEB = AdsStub.node("web-1", "web", "gRPC Java");
  private static final List<String> TYPES =
      List.of(CLUSTER_TYPE_URL, ENDPOINT_TYPE_URL, LISTENER_TYPE_URL, ROUTE_TYPE_URL);

  private final RunningXds xds = new RunningXds();

  @AfterEach
  void close() {
    xds.close();
  }

  static DeltaDiscoveryRequest subscribe(String typeUrl, String... names) {
    return DeltaDiscoveryRequest.newBuilder()
        .setNode(WEB)
        .setTypeUrl(typeUrl)
        .addAllResourceNamesSubscribe(List.of(names))
        .build();
  }

  static DeltaDiscoveryRequest ack(DeltaDiscoveryResponse r) {
    return DeltaDiscoveryRequest.newBuilder()
        .setNode(WEB)
        .setTypeUrl(r.getTypeUrl())
        .setResponseNonce(r.getNonce())
        .build();
  }

  static DeltaDiscoveryRequest nack(DeltaDiscoveryResponse r, String detail) {
    return ack(r).toBuilder()
        .setErrorDetail(Status.newBuilder().setCode(3).setMessage(detail))
        .build();
  }

  static Map<String, String> versions(DeltaDiscoveryResponse r) {
    Map<String, String> versions = new HashMap<>();
    for (Resource resource : r.getResourcesList()) {
      versions.put(resource.getName(), resource.getVersion());
    }
    return versions;
  }

  private static RenderedGroup web(Cluster.LbPolicy policy, int port) {
    return GrpcMesh.group("web", "greeter", policy, port);
  }

  /** Three versions of the group differing in the given type only. */
  private static List<RenderedGroup> threeVersions(String typeUrl) {
    return typeUrl.equals(CLUSTER_TYPE_URL)
        ? List.of(
            web(Cluster.LbPolicy.ROUND_ROBIN, 8080),
            web(Cluster.LbPolicy.MAGLEV, 8080),
            web(Cluster.LbPolicy.LEAST_REQUEST, 8080))
        : List.of(
            web(Cluster.LbPolicy.ROUND_ROBIN, 8080),
            web(Cluster.LbPolicy.ROUND_ROBIN, 8081),
            web(Cluster.LbPolicy.ROUND_ROBIN, 8082));
  }

  @ParameterizedTest
  @ValueSource(strings = {CLUSTER_TYPE_URL, ENDPOINT_TYPE_URL})
  void nackedResourcesAreNotSentAgainButTheirNextVersionIs(String typeUrl) {
    List<RenderedGroup> versions = threeVersions(typeUrl);
    String other = typeUrl.equals(CLUSTER_TYPE_URL) ? ENDPOINT_TYPE_URL : CLUSTER_TYPE_URL;
    String plural = typeUrl.equals(CLUSTER_TYPE_URL) ? "clusters" : "endpoints";
    xds.publish(versions.get(0));
    try (var ads = AdsStub.delta(xds.port())) {
      ads.send(subscribe(typeUrl, "greeter"));
      DeltaDiscoveryResponse good = ads.next();
      ads.send(ack(good));

      xds.publish(versions.get(1));
      DeltaDiscoveryResponse bad = ads.next();
      assertThat(bad.getTypeUrl()).isEqualTo(typeUrl);
      ads.send(nack(bad, "rejected by test"));
      ads.expectSilence(SotwStreamTest.QUIET);
      // Processed in order: a re-sent resource would arrive before this response.
      ads.send(subscribe(other, "greeter"));
      assertThat(ads.next().getTypeUrl()).isEqualTo(other);

      TypeStatus status = xds.proxy("web-1").types().get(plural);
      assertThat(status.pushes()).isEqualTo(2);
      assertThat(status.nacks()).isEqualTo(1);
      assertThat(status.lastNack().version()).isEqualTo(bad.getSystemVersionInfo());
      assertThat(status.lastNack().errorDetail()).isEqualTo("rejected by test");

      xds.publish(versions.get(2));
      DeltaDiscoveryResponse fixed = ads.next();
      assertThat(fixed.getTypeUrl()).isEqualTo(typeUrl);
      assertThat(versions(fixed).get("greeter"))
          .isNotEqualTo(versions(bad).get("greeter"))
          .isNotEqualTo(versions(good).get("greeter"));
    }
  }

  @Test
  void rejectedFirstResponseIsNotSentAgain() {
    xds.publish(web(Cluster.LbPolicy.ROUND_ROBIN, 8080));
    try (var ads = AdsStub.delta(xds.port())) {
      ads.send(subscribe(ENDPOINT_TYPE_URL, "greeter"));
      DeltaDiscoveryResponse bad = ads.next();
      ads.send(nack(bad, "rejected by test"));
      ads.expectSilence(SotwStreamTest.QUIET);
      ads.send(subscribe(CLUSTER_TYPE_URL, "greeter"));
      assertThat(ads.next().getTypeUrl()).isEqualTo(CLUSTER_TYPE_URL);
      assertThat(xds.proxy("web-1").types().get("endpoints").pushes()).isEqualTo(1);

      xds.publish(web(Cluster.LbPolicy.ROUND_ROBIN, 9090));
      DeltaDiscoveryResponse next = ads.next();
      assertThat(next.getTypeUrl()).isEqualTo(ENDPOINT_TYPE_URL);
      assertThat(versions(next).get("greeter")).isNotEqualTo(versions(bad).get("greeter"));
    }
  }

  @Test
  void reconnectWithTheSameVersionsResendsNothing() throws InvalidProtocolBufferException {
    xds.publish(web(Cluster.LbPolicy.ROUND_ROBIN, 8080));
    Map<String, Map<String, String>> held = new HashMap<>();
    try (var ads = AdsStub.delta(xds.port())) {
      for (String type : TYPES) {
        ads.send(subscribe(type, "greeter"));
        DeltaDiscoveryResponse r = ads.next();
        assertThat(r.getTypeUrl()).isEqualTo(type);
        held.put(type, versions(r));
        ads.send(ack(r));
      }
    }
    await().until(() -> xds.server.proxies().isEmpty());

    try (var again = AdsStub.delta(xds.port())) {
      for (String type : TYPES) {
        again.send(
            subscribe(type, "greeter").toBuilder()
                .putAllInitialResourceVersions(held.get(type))
                .build());
      }
      // Processed in order after the four above: anything they re-sent would arrive first.
      again.send(subscribe(ENDPOINT_TYPE_URL, "missing"));
      DeltaDiscoveryResponse first = again.next();
      assertThat(first.getTypeUrl()).isEqualTo(ENDPOINT_TYPE_URL);
      assertThat(first.getResourcesList()).isEmpty();
      assertThat(first.getRemovedResourcesList()).containsExactly("missing");
      again.send(ack(first));

      // A real change is still sent, and only the changed resource.
      xds.publish(web(Cluster.LbPolicy.ROUND_ROBIN, 9090));
      DeltaDiscoveryResponse eds = again.next();
      assertThat(eds.getTypeUrl()).isEqualTo(ENDPOINT_TYPE_URL);
      assertThat(eds.getResourcesList()).extracting(Resource::getName).containsExactly("greeter");
      assertThat(
              eds.getResources(0)
                  .getResource()
                  .unpack(ClusterLoadAssignment.class)
                  .getEndpoints(0)
                  .getLbEndpoints(0)
                  .getEndpoint()
                  .getAddress()
                  .getSocketAddress()
                  .getPortValue())
          .isEqualTo(9090);
      assertThat(xds.proxy("web-1").types().get("listeners").pushes()).isZero();
    }
  }

  @Test
  void reconnectWithAnOutdatedVersionGetsOnlyThatResource() {
    xds.publish(web(Cluster.LbPolicy.ROUND_ROBIN, 8080));
    Map<String, String> endpoints;
    try (var ads = AdsStub.delta(xds.port())) {
      ads.send(subscribe(ENDPOINT_TYPE_URL, "greeter"));
      endpoints = versions(ads.next());
    }
    xds.publish(web(Cluster.LbPolicy.ROUND_ROBIN, 9090));

    try (var again = AdsStub.delta(xds.port())) {
      again.send(
          subscribe(ENDPOINT_TYPE_URL, "greeter").toBuilder()
              .putAllInitialResourceVersions(endpoints)
              .build());
      DeltaDiscoveryResponse r = again.next();
      assertThat(versions(r).get("greeter")).isNotEqualTo(endpoints.get("greeter"));
    }
  }

  @Test
  void resourceTheClientHoldsButTheSnapshotLacksIsRemoved() {
    xds.publish(web(Cluster.LbPolicy.ROUND_ROBIN, 8080));
    try (var ads = AdsStub.delta(xds.port())) {
      ads.send(
          subscribe(ENDPOINT_TYPE_URL, "greeter", "gone").toBuilder()
              .putInitialResourceVersions("gone", "0123456789abcdef")
              .build());
      DeltaDiscoveryResponse r = ads.next();
      assertThat(r.getResourcesList()).extracting(Resource::getName).containsExactly("greeter");
      assertThat(r.getRemovedResourcesList()).containsExactly("gone");
    }
  }

  @Test
  void subscribingToAMissingNameIsAnsweredWithRemovedResources() {
    xds.publish(web(Cluster.LbPolicy.ROUND_ROBIN, 8080));
    try (var ads = AdsStub.delta(xds.port())) {
      ads.send(subscribe(ROUTE_TYPE_URL, "nosuch"));
      DeltaDiscoveryResponse r = ads.next();
      assertThat(r.getResourcesList()).isEmpty();
      assertThat(r.getRemovedResourcesList()).containsExactly("nosuch");
      ads.send(ack(r));
      ads.expectSilence(SotwStreamTest.QUIET);
    }
  }

  /** What a client holds after it subscribed to and ACKed every type of this group. */
  private static Map<String, Map<String, String>> heldAfterConnecting(RenderedGroup group) {
    try (var before = new RunningXds();
        var ads = AdsStub.delta(before.port())) {
      before.publish(group);
      Map<String, Map<String, String>> held = new HashMap<>();
      for (String type : TYPES) {
        ads.send(subscribe(type, "greeter"));
        DeltaDiscoveryResponse r = ads.next();
        held.put(r.getTypeUrl(), versions(r));
        ads.send(ack(r));
      }
      return held;
    }
  }

  /** A restart: the client reconnects to a new server before its first publish. */
  @Test
  void clientResumingBeforeTheFirstPublishGetsOnlyWhatChanged() {
    Map<String, Map<String, String>> held =
        heldAfterConnecting(web(Cluster.LbPolicy.ROUND_ROBIN, 8080));
    try (var ads = AdsStub.delta(xds.port())) {
      for (String type : TYPES) {
        ads.send(
            subscribe(type, "greeter").toBuilder()
                .putAllInitialResourceVersions(held.get(type))
                .build());
      }
      await().until(() -> xds.server.proxies().size() == 1);

      xds.publish(web(Cluster.LbPolicy.ROUND_ROBIN, 9090));
      DeltaDiscoveryResponse eds = ads.next();
      assertThat(eds.getTypeUrl()).isEqualTo(ENDPOINT_TYPE_URL);
      assertThat(eds.getResourcesList()).extracting(Resource::getName).containsExactly("greeter");
      assertThat(versions(eds).get("greeter"))
          .isNotEqualTo(held.get(ENDPOINT_TYPE_URL).get("greeter"));
      ads.send(ack(eds));
      ads.expectSilence(SotwStreamTest.QUIET);
      ProxyStatus proxy = xds.proxy("web-1");
      for (String type : List.of("clusters", "listeners", "routes")) {
        assertThat(proxy.types().get(type).pushes()).as(type).isZero();
      }
      assertThat(proxy.types().get("endpoints").pushes()).isEqualTo(1);
    }
  }

  @Test
  void clientResumingBeforeTheFirstPublishIsToldWhatNoLongerExists() {
    Map<String, Map<String, String>> held =
        heldAfterConnecting(web(Cluster.LbPolicy.ROUND_ROBIN, 8080));
    Map<String, String> clusters = new HashMap<>(held.get(CLUSTER_TYPE_URL));
    clusters.put("retired", "0123456789abcdef");
    Map<String, String> endpoints = new HashMap<>(held.get(ENDPOINT_TYPE_URL));
    endpoints.put("retired", "0123456789abcdef");
    try (var ads = AdsStub.delta(xds.port())) {
      // Wildcard CDS and named EDS, as Envoy resumes them.
      ads.send(
          subscribe(CLUSTER_TYPE_URL).toBuilder().putAllInitialResourceVersions(clusters).build());
      ads.send(
          subscribe(ENDPOINT_TYPE_URL, "greeter", "retired").toBuilder()
              .putAllInitialResourceVersions(endpoints)
              .build());
      await().until(() -> xds.server.proxies().size() == 1);

      xds.publish(web(Cluster.LbPolicy.ROUND_ROBIN, 8080));
      Map<String, DeltaDiscoveryResponse> byType = new HashMap<>();
      for (int i = 0; i < 2; i++) {
        DeltaDiscoveryResponse r = ads.next();
        byType.put(r.getTypeUrl(), r);
        ads.send(ack(r));
      }
      for (String type : List.of(CLUSTER_TYPE_URL, ENDPOINT_TYPE_URL)) {
        assertThat(byType.get(type).getResourcesList()).as(type).isEmpty();
        assertThat(byType.get(type).getRemovedResourcesList()).as(type).containsExactly("retired");
      }
      ads.expectSilence(SotwStreamTest.QUIET);
    }
  }

  @Test
  void streamClosedWhileWaitingDoesNotHoldUpTheNextOne() {
    try (var ads = AdsStub.delta(xds.port())) {
      ads.send(subscribe(CLUSTER_TYPE_URL));
      await().until(() -> xds.server.proxies().size() == 1);
    }
    await().until(() -> xds.server.proxies().isEmpty());
    try (var ads = AdsStub.delta(xds.port())) {
      ads.send(subscribe(CLUSTER_TYPE_URL));
      await().until(() -> xds.server.proxies().size() == 1);
      xds.publish(web(Cluster.LbPolicy.ROUND_ROBIN, 8080));
      assertThat(ads.next().getResourcesList())
          .extracting(Resource::getName)
          .containsExactly("greeter");
      ads.expectSilence(SotwStreamTest.QUIET);
      assertThat(xds.proxy("web-1").types().get("clusters").pushes()).isEqualTo(1);
    }
  }

  @Test
  void nodeOfAnUnknownGroupWaitingForTheFirstPublishIsAnsweredThen() {
    Node stray = AdsStub.node("stray-1", "nosuch", "gRPC Java");
    try (var ads = AdsStub.delta(xds.port())) {
      ads.send(subscribe(ENDPOINT_TYPE_URL, "greeter").toBuilder().setNode(stray).build());
      await().until(() -> xds.server.proxies().size() == 1);

      xds.publish(web(Cluster.LbPolicy.ROUND_ROBIN, 8080));
      DeltaDiscoveryResponse r = ads.next();
      assertThat(r.getResourcesList()).isEmpty();
      assertThat(r.getRemovedResourcesList()).containsExactly("greeter");
      assertThat(xds.proxy("stray-1").knownGroup()).isFalse();
    }
  }
}
