package dev.trellis.serve;

import static io.envoyproxy.controlplane.cache.Resources.V3.CLUSTER_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.LISTENER_TYPE_URL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.google.rpc.Status;
import dev.trellis.analyze.AnalysisResult;
import dev.trellis.analyze.Finding;
import dev.trellis.analyze.Level;
import dev.trellis.model.DefinitionTree;
import dev.trellis.model.SourceLocation;
import dev.trellis.model.load.DefinitionLoader;
import dev.trellis.render.MeshRenderer;
import dev.trellis.render.ProxyGroup;
import dev.trellis.render.RenderedGroup;
import dev.trellis.render.RenderedMesh;
import dev.trellis.render.RenderedResource;
import dev.trellis.render.ResourceType;
import dev.trellis.testing.AdsStub;
import dev.trellis.testing.GrpcMesh;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The wired control plane through its admin API: readiness, metrics, proxies, config dumps. */
class ControlPlaneTest {

  private static final Node WEB = AdsStub.node("web-1", "web", "gRPC Java");

  private final ControlPlane cp;
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper mapper = new ObjectMapper();

  ControlPlaneTest() throws IOException {
    InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    cp = ControlPlane.start(new ControlPlane.Options(loopback, loopback, Duration.ZERO));
  }

  @AfterEach
  void close() {
    cp.close();
  }

  private HttpResponse<String> get(String path) {
    try {
      return http.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cp.adminPort() + path))
              .timeout(Duration.ofSeconds(10))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private JsonNode json(String path) {
    HttpResponse<String> response = get(path);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValue("application/json; charset=utf-8");
    try {
      return mapper.readTree(response.body());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static RenderedMesh mesh(RenderedGroup... groups) {
    TreeMap<String, RenderedGroup> byId = new TreeMap<>();
    for (RenderedGroup g : groups) {
      byId.put(g.group().id(), g);
    }
    return new RenderedMesh(null, byId);
  }

  @Test
  void readyOnlyOnceAConfigIsPublished() {
    assertThat(get("/healthz").statusCode()).isEqualTo(200);
    HttpResponse<String> before = get("/readyz");
    assertThat(before.statusCode()).isEqualTo(503);
    assertThat(before.body()).isEqualTo("not ready: no config published yet\n");

    cp.publish(mesh(GrpcMesh.group("web", "greeter", 8080)));

    HttpResponse<String> after = get("/readyz");
    assertThat(after.statusCode()).isEqualTo(200);
    assertThat(after.body()).isEqualTo("ready\n");
  }

  @Test
  void failedReloadIsShownAndCountedWhileTheLastGoodConfigIsServed() {
    cp.publish(mesh(GrpcMesh.group("web", "greeter", 8080)));
    List<RenderedResource> resources =
        new ArrayList<>(GrpcMesh.group("web", "greeter", 8080).resources());
    resources.add(
        GrpcMesh.resource(
            ResourceType.CLUSTER, "x", GrpcMesh.cluster("y", Cluster.LbPolicy.ROUND_ROBIN)));

    assertThatThrownBy(() -> cp.publish(mesh(new RenderedGroup(ProxyGroup.grpc("web"), resources))))
        .isInstanceOf(IllegalArgumentException.class);

    HttpResponse<String> ready = get("/readyz");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body())
        .startsWith("ready\nlast load of the definitions failed at ")
        .endsWith(
            "; serving the last good config:\nGroup 'grpc:web': cluster 'x' is named 'y' in its"
                + " proto; clients ask for resources by the proto's name\n");
    JsonNode errors = json("/debug/errors");
    assertThat(errors.at("/current/message").asText()).startsWith("Group 'grpc:web': cluster 'x'");
    assertThat(errors.at("/history").size()).isEqualTo(1);
    assertThat(get("/metrics").body())
        .contains("trellis_reload_errors_total{reason=\"publish\"} 1.0");

    cp.publish(mesh(GrpcMesh.group("web", "greeter", 8080)));
    assertThat(get("/readyz").body()).isEqualTo("ready\n");
    assertThat(json("/debug/errors").get("current").isNull()).isTrue();
  }

  @Test
  void errorFindingsHoldBackTheirGroupAndAreShownAndCounted() {
    cp.publish(mesh(GrpcMesh.group("web", "greeter", 8080)));
    Finding error =
        new Finding(
            "TRL203",
            Level.ERROR,
            "RouteConfiguration 'greeter': route to unknown cluster 'nope'",
            new SourceLocation("services/web.yaml", 4, 3),
            Optional.of("grpc:web"),
            Optional.of("RouteConfiguration/greeter"));

    cp.publish(
        mesh(GrpcMesh.group("web", "greeter", 9090), GrpcMesh.group("api", "greeter", 9090)),
        new AnalysisResult(List.of(error), List.of()));

    assertThat(cp.publisher().group("grpc:web").orElseThrow().rendered())
        .isEqualTo(GrpcMesh.group("web", "greeter", 8080));
    assertThat(cp.publisher().group("grpc:api").orElseThrow().rendered())
        .isEqualTo(GrpcMesh.group("api", "greeter", 9090));
    JsonNode findings = json("/debug/findings");
    assertThat(findings.at("/counts/error").asInt()).isEqualTo(1);
    assertThat(findings.at("/findings/0/ruleId").asText()).isEqualTo("TRL203");
    assertThat(findings.at("/blocked_groups/grpc:web/0").asText())
        .isEqualTo(
            "services/web.yaml:4:3: TRL203: RouteConfiguration 'greeter': route to unknown"
                + " cluster 'nope'");
    String metrics = get("/metrics").body();
    assertThat(metrics)
        .contains("trellis_publish_blocked_groups 1.0")
        .contains("trellis_analysis_findings{level=\"error\"} 1.0");
    assertThat(get("/readyz").body())
        .contains("groups held on their last good config by error findings:\n  grpc:web:");

    cp.publish(
        mesh(GrpcMesh.group("web", "greeter", 9090), GrpcMesh.group("api", "greeter", 9090)),
        AnalysisResult.EMPTY);
    assertThat(cp.publisher().group("grpc:web").orElseThrow().rendered())
        .isEqualTo(GrpcMesh.group("web", "greeter", 9090));
    assertThat(get("/readyz").body()).isEqualTo("ready\n");
    assertThat(get("/metrics").body()).contains("trellis_publish_blocked_groups 0.0");
  }

  @Test
  void nackShowsInProxiesAndMetrics() {
    cp.publish(mesh(GrpcMesh.group("web", "greeter", 8080)));
    try (var ads = AdsStub.sotw(cp.xdsPort())) {
      ads.send(request(CLUSTER_TYPE_URL, "", ""));
      DiscoveryResponse good = ads.next();
      ads.send(request(CLUSTER_TYPE_URL, good.getVersionInfo(), good.getNonce()));
      cp.publish(mesh(GrpcMesh.group("web", "greeter", Cluster.LbPolicy.MAGLEV, 8080)));
      DiscoveryResponse bad = ads.next();
      ads.send(
          request(CLUSTER_TYPE_URL, good.getVersionInfo(), bad.getNonce()).toBuilder()
              .setErrorDetail(Status.newBuilder().setCode(3).setMessage("no MAGLEV here"))
              .build());

      await()
          .untilAsserted(
              () ->
                  assertThat(
                          json("/debug/proxies")
                              .at("/proxies/0/types/clusters/last_nack/error_detail")
                              .asText())
                      .isEqualTo("no MAGLEV here"));
      JsonNode proxy = json("/debug/proxies").at("/proxies/0");
      assertThat(proxy.get("node").asText()).isEqualTo("web-1");
      assertThat(proxy.get("group").asText()).isEqualTo("grpc:web");
      assertThat(proxy.get("protocol").asText()).isEqualTo("sotw");
      assertThat(proxy.at("/types/clusters/acked").asText()).isEqualTo(good.getVersionInfo());
      assertThat(proxy.at("/types/clusters/sent").asText()).isEqualTo(bad.getVersionInfo());
      assertThat(proxy.at("/types/clusters/last_nack/version").asText())
          .isEqualTo(bad.getVersionInfo());

      String metrics = get("/metrics").body();
      assertThat(metrics)
          .contains("trellis_xds_proxies_connected{group=\"grpc:web\"} 1.0")
          .contains("trellis_xds_pushes_total{group=\"grpc:web\",type=\"clusters\"} 2.0")
          .contains("trellis_xds_acks_total{group=\"grpc:web\",type=\"clusters\"} 1.0")
          .contains("trellis_xds_nacks_total{group=\"grpc:web\",type=\"clusters\"} 1.0")
          .contains("trellis_xds_push_ack_latency_seconds_bucket{type=\"clusters\",le=\"0.001\"}")
          .contains("trellis_xds_push_ack_latency_seconds_count{type=\"clusters\"} 1");
    }
  }

  private static DiscoveryRequest request(String typeUrl, String version, String nonce) {
    return DiscoveryRequest.newBuilder()
        .setNode(WEB)
        .setTypeUrl(typeUrl)
        .setVersionInfo(version)
        .setResponseNonce(nonce)
        .addResourceNames("greeter")
        .build();
  }

  @Test
  void nodeOfAnUnknownGroupIsListedAsUnknown() {
    cp.publish(mesh(GrpcMesh.group("web", "greeter", 8080)));
    Node stray = AdsStub.node("stray-1", "nosuch", "envoy");
    try (var ads = AdsStub.sotw(cp.xdsPort())) {
      ads.send(DiscoveryRequest.newBuilder().setNode(stray).setTypeUrl(LISTENER_TYPE_URL).build());
      assertThat(ads.next().getResourcesList()).isEmpty();

      JsonNode proxies = json("/debug/proxies");
      assertThat(proxies.at("/proxies/0/known_group").asBoolean()).isFalse();
      assertThat(proxies.at("/unknown/0/node").asText()).isEqualTo("stray-1");
      assertThat(proxies.at("/unknown/0/group").asText()).isEqualTo("nosuch");
      assertThat(get("/metrics").body())
          .contains("trellis_xds_proxies_connected{group=\"(unknown)\"} 1.0")
          .contains("trellis_xds_pushes_total{group=\"(unknown)\",type=\"listeners\"} 1.0")
          .doesNotContain("nosuch");
    }
  }

  @Test
  void configDumpShowsTypedConfigsWithEnvoyFieldNames() {
    cp.publish(mesh(GrpcMesh.group("web", "greeter", 8080)));

    JsonNode dump = json("/debug/config_dump?group=grpc%3Aweb");

    assertThat(dump.get("group").asText()).isEqualTo("grpc:web");
    assertThat(dump.get("kind").asText()).isEqualTo("grpc");
    assertThat(dump.at("/versions/listeners").asText()).matches("[0-9a-f]{16}");
    JsonNode listener = null;
    for (JsonNode r : dump.get("resources")) {
      if (r.get("type").asText().equals("listeners")) {
        listener = r;
      }
    }
    assertThat(listener).isNotNull();
    assertThat(listener.get("name").asText()).isEqualTo("greeter");
    assertThat(listener.at("/origin/template").asText()).isEqualTo("test/grpc.yaml.j2");
    JsonNode hcm = listener.at("/config/api_listener/api_listener");
    assertThat(hcm.get("@type").asText())
        .isEqualTo(
            "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3"
                + ".HttpConnectionManager");
    assertThat(hcm.at("/rds/route_config_name").asText()).isEqualTo("greeter");
    assertThat(hcm.at("/http_filters/0/typed_config/@type").asText())
        .isEqualTo("type.googleapis.com/envoy.extensions.filters.http.router.v3.Router");
  }

  @Test
  void configDumpOfATlsGroupShowsNoKey() {
    RenderedMesh sample =
        new MeshRenderer()
            .render(
                DefinitionLoader.load(
                        DefinitionTree.fromDirectory(Path.of("..", "samples", "mesh")))
                    .orElseThrow());
    cp.publish(sample);
    Secret served =
        (Secret)
            cp.publisher().group("payments").orElseThrow().rendered().resources().stream()
                .filter(r -> r.type() == ResourceType.SECRET && r.name().equals("identity"))
                .findFirst()
                .orElseThrow()
                .proto();
    ByteString key = served.getTlsCertificate().getPrivateKey().getInlineBytes();
    assertThat(key.toStringUtf8()).startsWith("-----BEGIN PRIVATE KEY-----");

    HttpResponse<String> response = get("/debug/config_dump?group=payments");

    assertThat(response.statusCode()).isEqualTo(200);
    String body = response.body();
    String keyBase64 = Base64.getEncoder().encodeToString(key.toByteArray());
    String keyBody = key.toStringUtf8().split("\n")[1]; // a line of the PEM's own base64
    assertThat(body).doesNotContain(keyBase64).doesNotContain(keyBody);
    JsonNode identity = null;
    for (JsonNode r : json("/debug/config_dump?group=payments").get("resources")) {
      if (r.get("type").asText().equals("secrets") && r.get("name").asText().equals("identity")) {
        identity = r;
      }
    }
    assertThat(identity).isNotNull();
    JsonNode tls = identity.at("/config/tls_certificate");
    assertThat(new String(Base64.getDecoder().decode(tls.at("/private_key/inline_bytes").asText())))
        .isEqualTo("[redacted]");
    assertThat(
            new String(
                Base64.getDecoder().decode(tls.at("/certificate_chain/inline_bytes").asText())))
        .startsWith("-----BEGIN CERTIFICATE-----");
  }

  @Test
  void configDumpNamesWhatIsMissing() {
    cp.publish(mesh(GrpcMesh.group("web", "greeter", 8080)));

    HttpResponse<String> noGroup = get("/debug/config_dump");
    assertThat(noGroup.statusCode()).isEqualTo(400);
    assertThat(noGroup.body())
        .isEqualTo("give a group: /debug/config_dump?group=NAME; published groups: [grpc:web]\n");
    HttpResponse<String> unknown = get("/debug/config_dump?group=api");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body())
        .isEqualTo("no published group 'api'; published groups: [grpc:web]\n");
    assertThat(get("/nosuch").statusCode()).isEqualTo(404);
  }

  @Test
  void closeEndsStreamsAndStopsTheAdminApi() {
    cp.publish(mesh(GrpcMesh.group("web", "greeter", 8080)));
    try (var ads = AdsStub.sotw(cp.xdsPort())) {
      ads.send(request(CLUSTER_TYPE_URL, "", ""));
      ads.next();

      cp.close();

      assertThatThrownBy(ads::next).hasMessageContaining("stream failed");
      assertThatThrownBy(
              () ->
                  http.send(
                      HttpRequest.newBuilder(
                              URI.create("http://127.0.0.1:" + cp.adminPort() + "/healthz"))
                          .timeout(Duration.ofSeconds(5))
                          .build(),
                      HttpResponse.BodyHandlers.ofString()))
          .isInstanceOf(IOException.class);
    }
  }
}
