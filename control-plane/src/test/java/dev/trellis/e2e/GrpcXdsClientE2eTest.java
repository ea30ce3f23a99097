package dev.trellis.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trellis.render.RenderedGroup;
import dev.trellis.render.RenderedMesh;
import dev.trellis.serve.ControlPlane;
import dev.trellis.stream.ProxyStatus;
import dev.trellis.stream.TypeStatus;
import dev.trellis.testing.GrpcMesh;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real grpc-java client (grpc-xds, its own JVM) against the control plane: it reaches a backend
 * through {@code xds:///greeter}, follows endpoint changes without restarting, NACKs a config it
 * cannot use (cluster lb_policy MAGLEV) and keeps working on its last good config.
 *
 * <p>grpc-java has no delta xDS client; delta is covered with a raw stub in {@code
 * DeltaStreamTest}.
 */
class GrpcXdsClientE2eTest {

  private static final String TARGET = "xds:///greeter";
  private static final String NODE = "web-e2e";
  private static final Duration QUIET = Duration.ofSeconds(1);

  /** Upper bound for a client to start or catch up; generous for a loaded shared machine. */
  private static final Duration CATCH_UP = Duration.ofSeconds(60);

  @TempDir Path dir;

  private final ControlPlane cp;
  private final EchoBackend a = new EchoBackend("backend-a");
  private final EchoBackend b = new EchoBackend("backend-b");
  private final HttpClient http = HttpClient.newHttpClient();

  GrpcXdsClientE2eTest() throws IOException {
    InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    cp = ControlPlane.start(new ControlPlane.Options(loopback, loopback, Duration.ZERO));
  }

  @AfterEach
  void close() throws InterruptedException {
    cp.close();
    a.close();
    b.close();
  }

  private void publish(RenderedGroup group) {
    cp.publish(new RenderedMesh(null, new TreeMap<>(java.util.Map.of(group.group().id(), group))));
  }

  private TypeStatus clusters() {
    ProxyStatus proxy =
        cp.xds().proxies().stream().filter(p -> p.nodeId().equals(NODE)).findFirst().orElseThrow();
    return proxy.types().get("clusters");
  }

  private String admin(String path) {
    try {
      return http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cp.adminPort() + path))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Test
  void clientFollowsAnEndpointMoveWithoutRestarting() throws Exception {
    publish(GrpcMesh.group("web", "greeter", a.port()));
    try (XdsClientProcess client = XdsClientProcess.start(dir, cp.xdsPort(), NODE, "web")) {
      assertThat(client.callUntil(TARGET, "ok backend-a", CATCH_UP)).isEqualTo("ok backend-a");
      assertThat(cp.xds().proxies()).extracting(ProxyStatus::group).containsExactly("grpc:web");

      publish(GrpcMesh.group("web", "greeter", b.port()));

      assertThat(client.callUntil(TARGET, "ok backend-b", CATCH_UP)).isEqualTo("ok backend-b");
      assertThat(client.call(TARGET)).isEqualTo("ok backend-b");
      // The move changed endpoints only: the cluster was sent once, at the start.
      assertThat(clusters().pushes()).isEqualTo(1);
    }
  }

  @Test
  void rejectedConfigIsNotResentAndTheClientKeepsItsLastGoodConfig() throws Exception {
    publish(GrpcMesh.group("web", "greeter", a.port()));
    try (XdsClientProcess client = XdsClientProcess.start(dir, cp.xdsPort(), NODE, "web")) {
      assertThat(client.callUntil(TARGET, "ok backend-a", CATCH_UP)).isEqualTo("ok backend-a");
      String good = clusters().ackedVersion();

      publish(GrpcMesh.group("web", "greeter", Cluster.LbPolicy.MAGLEV, a.port()));

      await().atMost(CATCH_UP).until(() -> clusters().nacks() == 1);
      TypeStatus rejected = clusters();
      assertThat(rejected.ackedVersion()).isEqualTo(good);
      assertThat(rejected.lastNack().version()).isEqualTo(rejected.sentVersion());
      assertThat(rejected.lastNack().errorDetail()).contains("greeter");
      System.out.println("grpc-xds NACK detail: " + rejected.lastNack().errorDetail());

      // No resend loop: java-control-plane alone sends hundreds of responses a second here.
      Thread.sleep(QUIET.toMillis());
      assertThat(clusters().pushes()).isEqualTo(2);
      assertThat(clusters().nacks()).isEqualTo(1);
      assertThat(client.call(TARGET)).isEqualTo("ok backend-a");

      JsonNode proxies = new ObjectMapper().readTree(admin("/debug/proxies"));
      JsonNode nack = proxies.at("/proxies/0/types/clusters/last_nack");
      assertThat(nack.get("version").asText()).isEqualTo(rejected.sentVersion());
      assertThat(nack.get("error_detail").asText()).isEqualTo(rejected.lastNack().errorDetail());
      assertThat(admin("/metrics"))
          .contains("trellis_xds_nacks_total{group=\"grpc:web\",type=\"clusters\"} 1.0");

      // A new version is sent and taken.
      publish(GrpcMesh.group("web", "greeter", b.port()));
      assertThat(client.callUntil(TARGET, "ok backend-b", CATCH_UP)).isEqualTo("ok backend-b");
      await().atMost(CATCH_UP).until(() -> clusters().ackedVersion().equals(good));
    }
  }

  /**
   * grpc-java 1.85 runs one xDS client (and ADS stream) per channel target, and concludes that a
   * newly requested resource does not exist only when its 15 s timer fires, even if a response
   * without it came earlier. So a missing target fails on its own and is served once published.
   */
  @Test
  void aTargetTheGroupLacksFailsAloneAndIsServedOncePublished() throws Exception {
    publish(GrpcMesh.group("web", "greeter", a.port()));
    try (XdsClientProcess client = XdsClientProcess.start(dir, cp.xdsPort(), NODE, "web")) {
      assertThat(client.call("xds:///later", Duration.ofSeconds(1))).startsWith("err ");
      assertThat(client.callUntil(TARGET, "ok backend-a", CATCH_UP)).isEqualTo("ok backend-a");

      publish(
          GrpcMesh.withDependency(GrpcMesh.group("web", "greeter", a.port()), "later", b.port()));

      assertThat(client.callUntil("xds:///later", "ok backend-b", CATCH_UP))
          .isEqualTo("ok backend-b");
      assertThat(client.call(TARGET)).isEqualTo("ok backend-a");
    }
  }

  @Test
  void clientOfAnUnknownGroupGetsAnEmptyConfigUntilTheGroupIsPublished() throws Exception {
    publish(GrpcMesh.group("web", "greeter", a.port()));
    try (XdsClientProcess client = XdsClientProcess.start(dir, cp.xdsPort(), NODE, "api")) {
      assertThat(client.call(TARGET, Duration.ofSeconds(1))).startsWith("err ");
      await()
          .atMost(CATCH_UP)
          .untilAsserted(
              () -> {
                assertThat(cp.xds().proxies()).as(client::stderr).hasSize(1);
                ProxyStatus proxy = cp.xds().proxies().get(0);
                assertThat(proxy.knownGroup()).isFalse();
                TypeStatus listeners = proxy.types().get("listeners");
                assertThat(listeners).isNotNull();
                assertThat(listeners.ackedVersion()).isNotNull().isEqualTo(listeners.sentVersion());
              });
      JsonNode proxies = new ObjectMapper().readTree(admin("/debug/proxies"));
      assertThat(proxies.at("/unknown/0/node").asText()).isEqualTo(NODE);
      assertThat(proxies.at("/unknown/0/group").asText()).isEqualTo("grpc:api");

      cp.publish(
          new RenderedMesh(
              null,
              new TreeMap<>(
                  java.util.Map.of(
                      "grpc:web", GrpcMesh.group("web", "greeter", a.port()),
                      "grpc:api", GrpcMesh.group("api", "greeter", b.port())))));

      assertThat(client.callUntil(TARGET, "ok backend-b", CATCH_UP)).isEqualTo("ok backend-b");
      assertThat(cp.xds().proxies().get(0).knownGroup()).isTrue();
    }
  }
}
