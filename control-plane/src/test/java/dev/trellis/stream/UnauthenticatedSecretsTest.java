package dev.trellis.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.model.DefinitionTree;
import dev.trellis.model.Mesh;
import dev.trellis.model.load.DefinitionLoader;
import dev.trellis.render.MeshRenderer;
import dev.trellis.render.ResourceType;
import dev.trellis.serve.ControlPlane;
import dev.trellis.testing.AdsStub;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Plaintext ADS (the default): a stream that did not authenticate gets listeners, routes, clusters,
 * endpoints and the trust bundle, but no private key, unless the server runs with insecure SDS.
 */
class UnauthenticatedSecretsTest {

  private static final Mesh SAMPLE =
      DefinitionLoader.load(DefinitionTree.fromDirectory(Path.of("..", "samples", "mesh")))
          .orElseThrow();
  private static final String SECRET_TYPE = ResourceType.SECRET.typeUrl();

  private ControlPlane cp;

  private ControlPlane start(boolean insecureSds) throws Exception {
    InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    ControlPlane.Options options = new ControlPlane.Options(loopback, loopback, Duration.ZERO);
    cp = ControlPlane.start(insecureSds ? options.withInsecureSds() : options);
    cp.publish(new MeshRenderer().render(SAMPLE));
    return cp;
  }

  @AfterEach
  void close() {
    if (cp != null) {
      cp.close();
    }
  }

  @Test
  void aSotwStreamGetsTheTrustBundleButNoKey() throws Exception {
    start(false);
    try (var ads = AdsStub.sotw(cp.xdsPort())) {
      DiscoveryResponse response = ads.send(AdsStub.secretsRequest("payments")).next();
      List<Secret> secrets = AdsStub.secrets(response.getResourcesList());
      assertThat(secrets).extracting(Secret::getName).containsExactly("trust_bundle");
      assertThat(secrets.get(0).hasValidationContext()).isTrue();
      ads.send(
          AdsStub.secretsRequest("payments").toBuilder()
              .setVersionInfo(response.getVersionInfo())
              .setResponseNonce(response.getNonce())
              .build());
      ads.expectSilence(Duration.ofMillis(300));
      // Everything else is still served.
      ads.send(DiscoveryRequest.newBuilder().setTypeUrl(ResourceType.LISTENER.typeUrl()).build());
      assertThat(ads.next().getResourcesCount()).isPositive();
    }
  }

  @Test
  void aDeltaStreamGetsTheTrustBundleButNoKeyAndIsNotSentItAgain() throws Exception {
    start(false);
    try (var ads = AdsStub.delta(cp.xdsPort())) {
      DeltaDiscoveryResponse response =
          ads.send(
                  DeltaDiscoveryRequest.newBuilder()
                      .setNode(AdsStub.node("payments-1", "payments", "envoy"))
                      .setTypeUrl(SECRET_TYPE)
                      .addResourceNamesSubscribe("identity")
                      .addResourceNamesSubscribe("trust_bundle")
                      .build())
              .next();
      assertThat(response.getResourcesList())
          .extracting(Resource::getName)
          .containsExactly("trust_bundle");
      assertThat(response.getRemovedResourcesList()).isEmpty();
      ads.send(
          DeltaDiscoveryRequest.newBuilder()
              .setTypeUrl(SECRET_TYPE)
              .setResponseNonce(response.getNonce())
              .build());
      ads.expectSilence(Duration.ofMillis(300));
    }
  }

  private String readyz() throws Exception {
    var http = java.net.http.HttpClient.newHttpClient();
    return http.send(
            java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + cp.adminPort() + "/readyz"))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofString())
        .body();
  }

  @Test
  void readyzSaysHowToTurnOnAuthentication() throws Exception {
    start(false);
    assertThat(readyz())
        .isEqualTo(
            "ready\nwarning: 7 group(s) use mesh TLS keys over SDS (cart, catalog, checkout,"
                + " ledger, payments, ...) but xDS streams are not authenticated, so their proxies"
                + " get no private key; turn on authentication with --ads-tls (with --ca-dir) or"
                + " --auth-kubernetes-tokens\n");
  }

  @Test
  void insecureSdsSendsTheKeyToAnyone() throws Exception {
    start(true);
    assertThat(readyz()).isEqualTo("ready\n");
    try (var ads = AdsStub.sotw(cp.xdsPort())) {
      List<Secret> secrets =
          AdsStub.secrets(ads.send(AdsStub.secretsRequest("ledger")).next().getResourcesList());
      assertThat(secrets).extracting(Secret::getName).containsExactly("identity", "trust_bundle");
      assertThat(secrets.get(0).getTlsCertificate().getPrivateKey().getInlineBytes()).isNotEmpty();
    }
  }
}
