package dev.trellis.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.model.DefinitionTree;
import dev.trellis.model.Mesh;
import dev.trellis.model.load.DefinitionLoader;
import dev.trellis.render.MeshRenderer;
import dev.trellis.serve.ControlPlane;
import dev.trellis.testing.AdsStub;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.grpc.Metadata;
import io.grpc.Status;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Streams authenticated by Kubernetes service-account token over plaintext ADS, checked with
 * TokenReview against fabric8's mock API server (expectations mode): the token's service account
 * locks the stream as a certificate's SPIFFE ID does.
 */
class ServiceAccountTokensTest {

  private static final Mesh SAMPLE =
      DefinitionLoader.load(DefinitionTree.fromDirectory(Path.of("..", "samples", "mesh")))
          .orElseThrow();
  private static final String PAYMENTS_TOKEN = "token-of-payments";
  private static final String PAYMENTS_SA_TOKEN = "token-of-payments-sa";
  private static final String EDGE_TOKEN = "token-of-edge";

  /** The accounts the mock API server's TokenReview knows, by token. */
  private static final Map<String, String> ACCOUNTS =
      Map.of(
          PAYMENTS_TOKEN, "system:serviceaccount:shop:payments",
          PAYMENTS_SA_TOKEN, "system:serviceaccount:shop:payments-sa",
          EDGE_TOKEN, "system:serviceaccount:edge:envoy");

  /** The sample mesh with these lines added to its mesh.yaml. */
  private static Mesh sampleWith(String meshYaml) {
    DefinitionTree sample = DefinitionTree.fromDirectory(Path.of("..", "samples", "mesh"));
    SortedMap<String, String> files = new TreeMap<>(sample.files());
    files.merge("mesh.yaml", meshYaml, String::concat);
    return DefinitionLoader.load(new DefinitionTree(files)).orElseThrow();
  }

  private static final String BINDINGS =
      "serviceAccounts:\n"
          + "  - {namespace: shop, name: payments-sa, service: payments}\n"
          + "  - {namespace: shop, name: payments, service: ledger}\n"
          + "  - {namespace: edge, name: envoy, service: public}\n";

  private final AtomicInteger reviews = new AtomicInteger();
  private KubernetesMockServer api;
  private KubernetesClient client;
  private ControlPlane cp;

  @BeforeEach
  void start() throws Exception {
    api = new KubernetesMockServer(false);
    api.init(InetAddress.getLoopbackAddress(), 0);
    api.expect()
        .post()
        .withPath("/apis/authentication.k8s.io/v1/tokenreviews")
        .andReply(
            201,
            request -> {
              reviews.incrementAndGet();
              String body = request.getBody().readUtf8();
              String account =
                  ACCOUNTS.entrySet().stream()
                      .filter(a -> body.contains("\"token\":\"" + a.getKey() + "\""))
                      .map(Map.Entry::getValue)
                      .findFirst()
                      .orElse(null);
              boolean valid = account != null && body.contains("\"audiences\":[\"trellis\"]");
              return valid
                  ? new TokenReviewBuilder()
                      .withNewStatus()
                      .withAuthenticated(true)
                      .withNewUser()
                      .withUsername(account)
                      .endUser()
                      .endStatus()
                      .build()
                  : new TokenReviewBuilder()
                      .withNewStatus()
                      .withAuthenticated(false)
                      .withError("invalid bearer token")
                      .endStatus()
                      .build();
            })
        .always();
    client = api.createClient();
    InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    cp =
        ControlPlane.start(
            new ControlPlane.Options(loopback, loopback, Duration.ZERO)
                .withKubernetesTokens(client, Optional.of("trellis")));
    cp.publish(new MeshRenderer().render(SAMPLE));
  }

  @AfterEach
  void stop() {
    cp.close();
    client.close();
    api.destroy();
  }

  private AdsStub<DiscoveryRequest, DiscoveryResponse> stream(String token) {
    return AdsStub.sotw(
        AdsStub.plaintext(cp.xdsPort()), token == null ? new Metadata() : bearer(token));
  }

  private static Metadata bearer(String token) {
    Metadata headers = new Metadata();
    headers.put(ServiceAccountTokens.AUTHORIZATION, "Bearer " + token);
    return headers;
  }

  @Test
  void aValidTokenGetsItsServicesKeyAndIsReviewedOnceWhileCached() {
    for (int i = 0; i < 2; i++) {
      try (var ads = stream(PAYMENTS_TOKEN)) {
        List<Secret> secrets =
            AdsStub.secrets(ads.send(AdsStub.secretsRequest("payments")).next().getResourcesList());
        assertThat(secrets).extracting(Secret::getName).containsExactly("identity", "trust_bundle");
        assertThat(secrets.get(0).getTlsCertificate().getPrivateKey().getInlineBytes())
            .isNotEmpty();
      }
    }
    assertThat(reviews).hasValue(1);
  }

  @Test
  void serviceAccountsBindsEachAccountAndRefusesTheUnlisted() {
    cp.publish(new MeshRenderer().render(sampleWith(BINDINGS)));

    try (var ads = stream(PAYMENTS_SA_TOKEN)) {
      List<Secret> secrets =
          AdsStub.secrets(ads.send(AdsStub.secretsRequest("payments")).next().getResourcesList());
      assertThat(secrets).extracting(Secret::getName).containsExactly("identity", "trust_bundle");
    }
    // shop/payments is bound to ledger now: its namesake is no longer its own.
    try (var ads = stream(PAYMENTS_TOKEN)) {
      Status status = Status.fromThrowable(ads.send(AdsStub.secretsRequest("payments")).error());
      assertThat(status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(status.getDescription())
          .isEqualTo(
              "A proxy presenting service account system:serviceaccount:shop:payments (service"
                  + " ledger) may not have the config of group 'payments'");
    }
    try (var ads = stream(PAYMENTS_TOKEN)) {
      assertThat(
              AdsStub.secrets(ads.send(AdsStub.secretsRequest("ledger")).next().getResourcesList()))
          .extracting(Secret::getName)
          .containsExactly("identity", "trust_bundle");
    }
  }

  @Test
  void anAccountTheBindingsLeaveOutIsDeniedAndCounted() {
    cp.publish(
        new MeshRenderer()
            .render(
                sampleWith(
                    "serviceAccounts:\n"
                        + "  - {namespace: shop, name: payments-sa, service: payments}\n")));

    try (var ads = stream(PAYMENTS_TOKEN)) {
      Status status = Status.fromThrowable(ads.send(AdsStub.secretsRequest("payments")).error());
      assertThat(status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(status.getDescription())
          .isEqualTo(
              "Service account shop/payments is bound to no service by mesh.yaml's"
                  + " serviceAccounts");
    }
    assertThat(cp.registry().scrape())
        .contains("trellis_xds_streams_refused_total{reason=\"identity\"} 1.0");
  }

  @Test
  void theBindingsOfEachPublishApplyToNewStreamsWithACachedToken() {
    try (var ads = stream(PAYMENTS_TOKEN)) {
      assertThat(ads.send(AdsStub.secretsRequest("payments")).next().getResourcesCount())
          .isEqualTo(2);
    }
    cp.publish(new MeshRenderer().render(sampleWith(BINDINGS)));
    try (var ads = stream(PAYMENTS_TOKEN)) {
      assertThat(ads.send(AdsStub.secretsRequest("ledger")).next().getResourcesCount())
          .isEqualTo(2);
    }
    assertThat(reviews).hasValue(1);
  }

  @Test
  void beforeAnyMeshIsServedATokenStreamIsToldToRetry() throws Exception {
    InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    try (ControlPlane fresh =
            ControlPlane.start(
                new ControlPlane.Options(loopback, loopback, Duration.ZERO)
                    .withKubernetesTokens(client, Optional.of("trellis")));
        var ads = AdsStub.sotw(AdsStub.plaintext(fresh.xdsPort()), bearer(PAYMENTS_TOKEN))) {
      Status status = Status.fromThrowable(ads.send(AdsStub.secretsRequest("payments")).error());
      assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(status.getDescription())
          .isEqualTo(
              "No definitions are served yet, so service account"
                  + " system:serviceaccount:shop:payments stands for no service; retry");
    }
  }

  @Test
  void anInvalidTokenIsRefused() {
    try (var ads = stream("forged")) {
      Status status = Status.fromThrowable(ads.send(AdsStub.secretsRequest("payments")).error());
      assertThat(status.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
      assertThat(status.getDescription())
          .isEqualTo(
              "The service-account token was not accepted by the Kubernetes API server:"
                  + " invalid bearer token");
    }
    // Not even sent for review: the header is not a bearer token.
    Metadata basic = new Metadata();
    basic.put(ServiceAccountTokens.AUTHORIZATION, "Basic dXNlcjpwYXNz");
    try (var ads = AdsStub.sotw(AdsStub.plaintext(cp.xdsPort()), basic)) {
      Status status = Status.fromThrowable(ads.send(AdsStub.secretsRequest("payments")).error());
      assertThat(status.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
      assertThat(status.getDescription())
          .isEqualTo("The authorization header must be 'Bearer <service-account token>'");
    }
    assertThat(reviews).hasValue(1);
  }

  @Test
  void withoutATokenAStreamGetsNoKey() {
    try (var ads = stream(null)) {
      assertThat(
              AdsStub.secrets(
                  ads.send(AdsStub.secretsRequest("payments")).next().getResourcesList()))
          .extracting(Secret::getName)
          .containsExactly("trust_bundle");
    }
    assertThat(reviews).hasValue(0);
  }

  @Test
  void paymentsTokenAskingForLedgerIsDenied() {
    try (var ads = stream(PAYMENTS_TOKEN)) {
      Status status = Status.fromThrowable(ads.send(AdsStub.secretsRequest("ledger")).error());
      assertThat(status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(status.getDescription())
          .isEqualTo(
              "A proxy presenting service account system:serviceaccount:shop:payments (service"
                  + " payments) may not have the config of group 'ledger'");
    }
    try (var ads = stream(PAYMENTS_TOKEN)) {
      DiscoveryResponse own = ads.send(AdsStub.secretsRequest("payments")).next();
      Status status =
          Status.fromThrowable(
              ads.send(
                      AdsStub.secretsRequest("ledger").toBuilder()
                          .setVersionInfo(own.getVersionInfo())
                          .setResponseNonce(own.getNonce())
                          .build())
                  .error());
      assertThat(status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(status.getDescription())
          .isEqualTo(
              "An xDS stream serves the node it was opened with (node 'payments-1' of group"
                  + " 'payments'); open another stream for another node");
      assertThat(ads.drain()).isEmpty();
    }
    assertThat(cp.xds().proxies()).isEmpty();
  }
}
