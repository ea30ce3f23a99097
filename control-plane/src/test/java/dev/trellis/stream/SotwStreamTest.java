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
import dev.trellis.render.ResourceType;
import dev.trellis.testing.AdsStub;
import dev.trellis.testing.GrpcMesh;
import dev.trellis.testing.RunningXds;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** State-of-the-world ADS against a raw stub client: versions, NACK policy, missing names. */
class SotwStreamTest {

  /** Long enough to see java-control-plane's NACK loop (hundreds of responses a second). */
  static final Duration QUIET = Duration.ofMillis(500);

  private static final Node WEB = AdsStub.node("web-1", "web", "gRPC Java");

  private final RunningXds xds = new RunningXds();

  @AfterEach
  void close() {
    xds.close();
  }

  static DiscoveryRequest request(
      Node node, String typeUrl, String version, String nonce, String... names) {
    return DiscoveryRequest.newBuilder()
        .setNode(node)
        .setTypeUrl(typeUrl)
        .setVersionInfo(version)
        .setResponseNonce(nonce)
        .addAllResourceNames(List.of(names))
        .build();
  }

  static DiscoveryRequest ack(Node node, DiscoveryResponse r, String... names) {
    return request(node, r.getTypeUrl(), r.getVersionInfo(), r.getNonce(), names);
  }

  static DiscoveryRequest nack(
      Node node, DiscoveryResponse r, String lastGood, String detail, String... names) {
    return request(node, r.getTypeUrl(), lastGood, r.getNonce(), names).toBuilder()
        .setErrorDetail(Status.newBuilder().setCode(3).setMessage(detail))
        .build();
  }

  static Cluster cluster(DiscoveryResponse r) {
    try {
      return r.getResources(0).unpack(Cluster.class);
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  private static RenderedGroup web(Cluster.LbPolicy policy, int port) {
    return GrpcMesh.group("web", "greeter", policy, port);
  }

  @Test
  void nackedVersionIsNotSentAgainButTheNextVersionIs() {
    xds.publish(web(Cluster.LbPolicy.ROUND_ROBIN, 8080));
    try (var ads = AdsStub.sotw(xds.port())) {
      ads.send(request(WEB, CLUSTER_TYPE_URL, "", "", "greeter"));
      DiscoveryResponse good = ads.next();
      ads.send(ack(WEB, good, "greeter"));

      xds.publish(web(Cluster.LbPolicy.MAGLEV, 8080));
      DiscoveryResponse bad = ads.next();
      assertThat(bad.getVersionInfo()).isNotEqualTo(good.getVersionInfo());
      ads.send(nack(WEB, bad, good.getVersionInfo(), "MAGLEV is not supported", "greeter"));

      ads.expectSilence(QUIET);
      TypeStatus clusters = xds.proxy("web-1").types().get("clusters");
      assertThat(clusters.pushes()).isEqualTo(2);
      assertThat(clusters.ackedVersion()).isEqualTo(good.getVersionInfo());
      assertThat(clusters.nacks()).isEqualTo(1);
      assertThat(clusters.lastNack().version()).isEqualTo(bad.getVersionInfo());
      assertThat(clusters.lastNack().errorDetail()).isEqualTo("MAGLEV is not supported");

      xds.publish(web(Cluster.LbPolicy.LEAST_REQUEST, 8080));
      DiscoveryResponse fixed = ads.next();
      assertThat(fixed.getTypeUrl()).isEqualTo(CLUSTER_TYPE_URL);
      assertThat(cluster(fixed).getLbPolicy()).isEqualTo(Cluster.LbPolicy.LEAST_REQUEST);
      ads.send(ack(WEB, fixed, "greeter"));
      await()
          .untilAsserted(
              () ->
                  assertThat(xds.proxy("web-1").types().get("clusters").ackedVersion())
                      .isEqualTo(fixed.getVersionInfo()));
    }
  }

  @Test
  void republishingTheRejectedContentIsNotSentEither() {
    xds.publish(web(Cluster.LbPolicy.ROUND_ROBIN, 8080));
    try (var ads = AdsStub.sotw(xds.port())) {
      ads.send(request(WEB, CLUSTER_TYPE_URL, "", "", "greeter"));
      DiscoveryResponse good = ads.next();
      ads.send(ack(WEB, good, "greeter"));
      xds.publish(web(Cluster.LbPolicy.MAGLEV, 8080));
      DiscoveryResponse bad = ads.next();
      ads.send(nack(WEB, bad, good.getVersionInfo(), "MAGLEV is not supported", "greeter"));
      ads.expectSilence(QUIET);

      // Same content again (e.g. a reload of unchanged files): same version, still rejected.
      xds.publish(web(Cluster.LbPolicy.MAGLEV, 8080));
      ads.expectSilence(QUIET);
      assertThat(xds.proxy("web-1").types().get("clusters").pushes()).isEqualTo(2);
    }
  }

  @Test
  void reconnectingNodeThatHoldsAConfigIsNotSentTheVersionItRejected() {
    xds.publish(web(Cluster.LbPolicy.ROUND_ROBIN, 8080));
    DiscoveryResponse good;
    DiscoveryResponse bad;
    try (var ads = AdsStub.sotw(xds.port())) {
      ads.send(request(WEB, CLUSTER_TYPE_URL, "", "", "greeter"));
      good = ads.next();
      ads.send(ack(WEB, good, "greeter"));
      xds.publish(web(Cluster.LbPolicy.MAGLEV, 8080));
      bad = ads.next();
      ads.send(nack(WEB, bad, good.getVersionInfo(), "MAGLEV is not supported", "greeter"));
      await().until(() -> xds.proxy("web-1").types().get("clusters").nacks() == 1);
    }
    await().until(() -> xds.server.proxies().isEmpty());

    try (var again = AdsStub.sotw(xds.port())) {
      again.send(request(WEB, CLUSTER_TYPE_URL, good.getVersionInfo(), "", "greeter"));
      again.send(request(WEB, ENDPOINT_TYPE_URL, "", "", "greeter"));
      // Requests are processed in order: a CDS response would arrive before the EDS one.
      assertThat(again.next().getTypeUrl()).isEqualTo(ENDPOINT_TYPE_URL);
    }

    // A node without any config (version "") gets the current config: it has nothing better.
    try (var fresh = AdsStub.sotw(xds.port())) {
      fresh.send(request(WEB, CLUSTER_TYPE_URL, "", "", "greeter"));
      assertThat(fresh.next().getVersionInfo()).isEqualTo(bad.getVersionInfo());
    }
  }

  @Test
  void endpointOnlyChangeSendsOnlyEndpoints() {
    xds.publish(web(Cluster.LbPolicy.ROUND_ROBIN, 8080));
    try (var ads = AdsStub.sotw(xds.port())) {
      for (String type :
          List.of(LISTENER_TYPE_URL, ROUTE_TYPE_URL, CLUSTER_TYPE_URL, ENDPOINT_TYPE_URL)) {
        ads.send(request(WEB, type, "", "", "greeter"));
        DiscoveryResponse r = ads.next();
        assertThat(r.getTypeUrl()).isEqualTo(type);
        ads.send(ack(WEB, r, "greeter"));
      }

      xds.publish(web(Cluster.LbPolicy.ROUND_ROBIN, 9090));
      DiscoveryResponse eds = ads.next();
      assertThat(eds.getTypeUrl()).isEqualTo(ENDPOINT_TYPE_URL);
      ads.send(ack(WEB, eds, "greeter"));

      // A route change next: had the endpoint change re-sent LDS or RDS, that would come first.
      RenderedGroup changedRoute =
          new RenderedGroup(
              web(Cluster.LbPolicy.ROUND_ROBIN, 9090).group(),
              web(Cluster.LbPolicy.ROUND_ROBIN, 9090).resources().stream()
                  .map(
                      r ->
                          r.type() == ResourceType.ROUTE
                              ? GrpcMesh.resource(
                                  ResourceType.ROUTE,
                                  "greeter",
                                  GrpcMesh.route("greeter").toBuilder()
                                      .setValidateClusters(com.google.protobuf.BoolValue.of(false))
                                      .build())
                              : r)
                  .toList());
      xds.publish(changedRoute);
      assertThat(ads.next().getTypeUrl()).isEqualTo(ROUTE_TYPE_URL);
      assertThat(xds.proxy("web-1").types().get("listeners").pushes()).isEqualTo(1);
      assertThat(xds.proxy("web-1").types().get("clusters").pushes()).isEqualTo(1);
    }
  }

  @Test
  void namesTheSnapshotLacksAreAnsweredAtOnce() {
    xds.publish(web(Cluster.LbPolicy.ROUND_ROBIN, 8080));
    try (var ads = AdsStub.sotw(xds.port())) {
      ads.send(request(WEB, LISTENER_TYPE_URL, "", "", "greeter", "missing"));
      DiscoveryResponse first = ads.next();
      assertThat(first.getResourcesList()).hasSize(1);
      ads.send(ack(WEB, first, "greeter", "missing"));
      ads.expectSilence(QUIET);

      // A new missing name on an up-to-date stream: answered now, not after gRPC's 15 s timer.
      ads.send(ack(WEB, first, "greeter", "missing", "missing2"));
      DiscoveryResponse second = ads.next();
      assertThat(second.getVersionInfo()).isEqualTo(first.getVersionInfo());
      assertThat(second.getResourcesList()).hasSize(1);
    }
  }

  @Test
  void nodeOfAnUnknownGroupGetsAnEmptyConfigAndIsListedAsUnknown() {
    xds.publish(web(Cluster.LbPolicy.ROUND_ROBIN, 8080));
    Node stray = AdsStub.node("stray-1", "nosuch", "gRPC Java");
    try (var ads = AdsStub.sotw(xds.port())) {
      ads.send(request(stray, LISTENER_TYPE_URL, "", "", "greeter"));
      DiscoveryResponse r = ads.next();
      assertThat(r.getResourcesList()).isEmpty();

      ProxyStatus status = xds.proxy("stray-1");
      assertThat(status.group()).isEqualTo("grpc:nosuch");
      assertThat(status.knownGroup()).isFalse();
    }
  }

  @Test
  void nodeThatConnectsBeforeTheFirstPublishGetsItsConfigOnPublish() {
    try (var ads = AdsStub.sotw(xds.port())) {
      ads.send(request(WEB, LISTENER_TYPE_URL, "", "", "greeter"));
      await().until(() -> xds.server.proxies().size() == 1);
      xds.publish(web(Cluster.LbPolicy.ROUND_ROBIN, 8080));
      assertThat(ads.next().getResourcesList()).hasSize(1);
    }
  }

  /** A restart: the proxy reconnects before the first publish with the versions it holds. */
  @Test
  void proxyResumingBeforeTheFirstPublishIsSentOnlyChangedTypes() {
    List<String> types =
        List.of(CLUSTER_TYPE_URL, ENDPOINT_TYPE_URL, LISTENER_TYPE_URL, ROUTE_TYPE_URL);
    Map<String, String> held = new HashMap<>();
    try (var before = new RunningXds();
        var ads = AdsStub.sotw(before.port())) {
      before.publish(web(Cluster.LbPolicy.ROUND_ROBIN, 8080));
      for (String type : types) {
        ads.send(request(WEB, type, "", "", "greeter"));
        DiscoveryResponse r = ads.next();
        held.put(r.getTypeUrl(), r.getVersionInfo());
        ads.send(ack(WEB, r, "greeter"));
      }
    }
    try (var ads = AdsStub.sotw(xds.port())) {
      for (String type : types) {
        ads.send(request(WEB, type, held.get(type), "", "greeter"));
      }
      await().until(() -> xds.server.proxies().size() == 1);

      xds.publish(web(Cluster.LbPolicy.ROUND_ROBIN, 9090));
      DiscoveryResponse eds = ads.next();
      assertThat(eds.getTypeUrl()).isEqualTo(ENDPOINT_TYPE_URL);
      ads.send(ack(WEB, eds, "greeter"));
      ads.expectSilence(QUIET);
      ProxyStatus proxy = xds.proxy("web-1");
      for (String type : List.of("clusters", "listeners", "routes")) {
        assertThat(proxy.types().get(type).pushes()).as(type).isZero();
      }
    }
  }
}
