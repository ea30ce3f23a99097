package dev.trellis.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.model.DefinitionTree;
import dev.trellis.model.Mesh;
import dev.trellis.model.load.DefinitionLoader;
import dev.trellis.mtls.CertificateAuthority;
import dev.trellis.mtls.IssuedCertificate;
import dev.trellis.mtls.SpiffeId;
import dev.trellis.render.MeshRenderer;
import dev.trellis.render.ResourceType;
import dev.trellis.serve.ControlPlane;
import dev.trellis.testing.AdsStub;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * xDS over TLS with client certificates, on the sample mesh: an Envoy-shaped node gets only its own
 * identity's key over SDS, and a node presenting another identity than the group it asks for is
 * refused.
 */
class AdsTlsTest {

  private static final Mesh SAMPLE =
      DefinitionLoader.load(DefinitionTree.fromDirectory(Path.of("..", "samples", "mesh")))
          .orElseThrow();
  private static final String TD = SAMPLE.config().trustDomain();

  private final CertificateAuthority ca = CertificateAuthority.generate(TD, Clock.systemUTC());
  private final ControlPlane cp;

  AdsTlsTest() throws Exception {
    InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    cp =
        ControlPlane.start(
            new ControlPlane.Options(loopback, loopback, Duration.ZERO)
                .withCa(ca, Duration.ofHours(1))
                .withAdsTls());
    cp.publish(new MeshRenderer().render(SAMPLE));
  }

  @AfterEach
  void close() {
    cp.close();
  }

  private ManagedChannel channel(SpiffeId identity) throws Exception {
    IssuedCertificate own = ca.issue(identity, Duration.ofMinutes(10));
    AdvancedTlsX509KeyManager keys = new AdvancedTlsX509KeyManager();
    keys.updateIdentityCredentials(own.chain().toArray(new X509Certificate[0]), own.key());
    AdvancedTlsX509TrustManager trust =
        AdvancedTlsX509TrustManager.newBuilder()
            .setVerification(AdvancedTlsX509TrustManager.Verification.CERTIFICATE_ONLY_VERIFICATION)
            .build();
    trust.updateTrustCredentials(ca.trustBundle().toArray(new X509Certificate[0]));
    ChannelCredentials credentials =
        TlsChannelCredentials.newBuilder().keyManager(keys).trustManager(trust).build();
    return Grpc.newChannelBuilderForAddress("127.0.0.1", cp.xdsPort(), credentials).build();
  }

  @Test
  void anEnvoyNodeGetsOnlyItsOwnKey() throws Exception {
    try (var ads = AdsStub.sotw(channel(SpiffeId.of(TD, "ledger")))) {
      DiscoveryResponse response = ads.send(AdsStub.secretsRequest("ledger")).next();
      List<Secret> secrets = AdsStub.secrets(response.getResourcesList());
      assertThat(secrets).extracting(Secret::getName).containsExactly("identity", "trust_bundle");
      Secret identity = secrets.get(0);
      X509Certificate leaf =
          certificates(identity.getTlsCertificate().getCertificateChain().getInlineBytes()).get(0);
      assertThat(leaf.getSubjectAlternativeNames().stream().map(san -> String.valueOf(san.get(1))))
          .containsExactly("spiffe://" + TD + "/service/ledger");
      // The key is the one of that certificate: it signs what the certificate verifies.
      var key =
          new JcaPEMKeyConverter()
              .getPrivateKey(
                  (org.bouncycastle.asn1.pkcs.PrivateKeyInfo)
                      new PEMParser(
                              new java.io.StringReader(
                                  identity
                                      .getTlsCertificate()
                                      .getPrivateKey()
                                      .getInlineBytes()
                                      .toStringUtf8()))
                          .readObject());
      Signature sign = Signature.getInstance("SHA256withECDSA");
      sign.initSign(key);
      sign.update(new byte[] {1, 2, 3});
      byte[] signature = sign.sign();
      Signature verify = Signature.getInstance("SHA256withECDSA");
      verify.initVerify(leaf.getPublicKey());
      verify.update(new byte[] {1, 2, 3});
      assertThat(verify.verify(signature)).isTrue();
      // The trust bundle is the mesh root.
      assertThat(
              certificates(secrets.get(1).getValidationContext().getTrustedCa().getInlineBytes()))
          .containsExactlyElementsOf(ca.trustBundle());
    }
  }

  @Test
  void aNodeAskingForAnotherGroupIsRefused() throws Exception {
    try (var ads = AdsStub.sotw(channel(SpiffeId.of(TD, "payments")))) {
      Throwable error = ads.send(AdsStub.secretsRequest("ledger")).error();
      Status status = Status.fromThrowable(error);
      assertThat(status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(refused(ProxyTracker.REFUSED_IDENTITY)).isEqualTo(1);
      assertThat(status.getDescription())
          .isEqualTo(
              "A proxy presenting spiffe://"
                  + TD
                  + "/service/payments may not have the config of group 'ledger'");
    }
    assertThat(cp.xds().proxies()).isEmpty();
  }

  private static final String PAYMENTS_STREAM_CLOSED =
      "An xDS stream serves the node it was opened with (node 'payments-1' of group 'payments');"
          + " open another stream for another node";

  private double refused(String reason) {
    var counter = cp.registry().find("trellis.xds.streams.refused").tag("reason", reason).counter();
    return counter == null ? 0 : counter.count();
  }

  /** The service names in the SPIFFE IDs of the certificates among these secrets. */
  private static List<String> keyHolders(List<Secret> secrets) throws Exception {
    List<String> holders = new java.util.ArrayList<>();
    for (Secret secret : secrets) {
      if (secret.hasTlsCertificate()) {
        X509Certificate leaf =
            certificates(secret.getTlsCertificate().getCertificateChain().getInlineBytes()).get(0);
        leaf.getSubjectAlternativeNames().forEach(san -> holders.add(String.valueOf(san.get(1))));
        assertThat(secret.getTlsCertificate().getPrivateKey().getInlineBytes()).isNotEmpty();
      }
    }
    return holders;
  }

  @Test
  void aLaterSotwRequestForAnotherGroupClosesTheStreamAndGetsNoKey() throws Exception {
    try (var ads = AdsStub.sotw(channel(SpiffeId.of(TD, "payments")))) {
      DiscoveryResponse own = ads.send(AdsStub.secretsRequest("payments")).next();
      assertThat(keyHolders(AdsStub.secrets(own.getResourcesList())))
          .containsExactly("spiffe://" + TD + "/service/payments");
      // An ACK naming another node, as an attacker holding payments' certificate would send.
      DiscoveryRequest ledger =
          AdsStub.secretsRequest("ledger").toBuilder()
              .setVersionInfo(own.getVersionInfo())
              .setResponseNonce(own.getNonce())
              .build();
      Status status = Status.fromThrowable(ads.send(ledger).error());
      assertThat(status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(status.getDescription()).isEqualTo(PAYMENTS_STREAM_CLOSED);
      // The error came first and ended the stream: no ledger response, before or after.
      assertThat(ads.drain()).isEmpty();
    }
    assertThat(refused(ProxyTracker.REFUSED_NODE_CHANGED)).isEqualTo(1);
  }

  @Test
  void aLaterDeltaRequestForAnotherGroupClosesTheStreamAndGetsNoKey() throws Exception {
    try (var ads = AdsStub.delta(channel(SpiffeId.of(TD, "payments")))) {
      DeltaDiscoveryResponse own = ads.send(AdsStub.deltaSecretsRequest("payments")).next();
      assertThat(
              keyHolders(
                  AdsStub.secrets(
                      own.getResourcesList().stream()
                          .map(io.envoyproxy.envoy.service.discovery.v3.Resource::getResource)
                          .toList())))
          .containsExactly("spiffe://" + TD + "/service/payments");
      DeltaDiscoveryRequest ledger =
          AdsStub.deltaSecretsRequest("ledger").toBuilder()
              .setResponseNonce(own.getNonce())
              .build();
      Status status = Status.fromThrowable(ads.send(ledger).error());
      assertThat(status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(status.getDescription()).isEqualTo(PAYMENTS_STREAM_CLOSED);
      assertThat(ads.drain()).isEmpty();
    }
    assertThat(refused(ProxyTracker.REFUSED_NODE_CHANGED)).isEqualTo(1);
  }

  @Test
  void anotherNodeIdOfTheSameGroupOnTheStreamIsRefusedToo() throws Exception {
    try (var ads = AdsStub.sotw(channel(SpiffeId.of(TD, "payments")))) {
      DiscoveryResponse own = ads.send(AdsStub.secretsRequest("payments")).next();
      DiscoveryRequest other =
          AdsStub.secretsRequest("payments").toBuilder()
              .setNode(AdsStub.node("payments-2", "payments", "envoy"))
              .setResponseNonce(own.getNonce())
              .build();
      Status status = Status.fromThrowable(ads.send(other).error());
      assertThat(status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(status.getDescription()).isEqualTo(PAYMENTS_STREAM_CLOSED);
    }
  }

  @Test
  void laterRequestsWithoutANodeOrWithTheSameNodeAreServed() throws Exception {
    try (var ads = AdsStub.sotw(channel(SpiffeId.of(TD, "payments")))) {
      DiscoveryResponse own = ads.send(AdsStub.secretsRequest("payments")).next();
      // Envoy sends the node on the first request only; grpc on every request.
      ads.send(DiscoveryRequest.newBuilder().setTypeUrl(ResourceType.CLUSTER.typeUrl()).build());
      assertThat(ads.next().getTypeUrl()).isEqualTo(ResourceType.CLUSTER.typeUrl());
      ads.send(
          AdsStub.secretsRequest("payments").toBuilder()
              .setVersionInfo(own.getVersionInfo())
              .setResponseNonce(own.getNonce())
              .build());
      ads.expectSilence(Duration.ofMillis(200));
    }
    assertThat(refused(ProxyTracker.REFUSED_NODE_CHANGED)).isZero();
  }

  @Test
  void overlongNodeIdsAndClustersAreRefusedAtPlacementAndNotKept() throws Exception {
    String longId = "p".repeat(ProxyTracker.MAX_NODE_ID + 1);
    try (var ads = AdsStub.sotw(channel(SpiffeId.of(TD, "payments")))) {
      DiscoveryRequest request =
          AdsStub.secretsRequest("payments").toBuilder()
              .setNode(AdsStub.node(longId, "payments", "envoy"))
              .build();
      Status status = Status.fromThrowable(ads.send(request).error());
      assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(status.getDescription())
          .isEqualTo("The node id is 1025 characters long; at most 1024 are accepted");
    }
    try (var ads = AdsStub.sotw(channel(SpiffeId.of(TD, "payments")))) {
      DiscoveryRequest request =
          AdsStub.secretsRequest("payments").toBuilder()
              .setNode(AdsStub.node("payments-1", "c".repeat(257), "envoy"))
              .build();
      Status status = Status.fromThrowable(ads.send(request).error());
      assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(status.getDescription())
          .isEqualTo("The node cluster is 257 characters long; at most 256 are accepted");
    }
    assertThat(cp.xds().proxies()).isEmpty();
    assertThat(cp.registry().getMeters())
        .noneMatch(m -> m.getId().getTags().stream().anyMatch(t -> t.getValue().length() > 256));
    assertThat(refused(ProxyTracker.REFUSED_INVALID)).isEqualTo(2);
  }

  @Test
  void gatewaysAndProxylessAppsAskForTheirOwnGroups() throws Exception {
    try (var ads = AdsStub.sotw(channel(SpiffeId.gateway(TD, "public")))) {
      assertThat(ads.send(AdsStub.secretsRequest("public")).next().getResourcesCount())
          .isEqualTo(2);
    }
    try (var ads = AdsStub.sotw(channel(SpiffeId.gateway(TD, "public")))) {
      assertThat(
              Status.fromThrowable(ads.send(AdsStub.secretsRequest("checkout")).error()).getCode())
          .isEqualTo(Status.Code.PERMISSION_DENIED);
    }
    DiscoveryRequest grpcListeners =
        DiscoveryRequest.newBuilder()
            .setNode(AdsStub.node("recs-1", "recommendations", "gRPC Java"))
            .setTypeUrl(ResourceType.LISTENER.typeUrl())
            .addResourceNames("pricing")
            .build();
    try (var ads = AdsStub.sotw(channel(SpiffeId.of(TD, "recommendations")))) {
      assertThat(ads.send(grpcListeners).next().getResourcesCount()).isEqualTo(1);
    }
  }

  @Test
  void aNodeWithoutAClientCertificateCannotConnect() {
    var plaintext =
        io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1", cp.xdsPort())
            .usePlaintext()
            .build();
    try (var ads = AdsStub.sotw(plaintext)) {
      assertThat(Status.fromThrowable(ads.send(AdsStub.secretsRequest("ledger")).error()).getCode())
          .isEqualTo(Status.Code.UNAVAILABLE);
    }
  }

  private static List<X509Certificate> certificates(com.google.protobuf.ByteString pem)
      throws Exception {
    return CertificateFactory.getInstance("X.509")
        .generateCertificates(
            new ByteArrayInputStream(pem.toString(StandardCharsets.US_ASCII).getBytes()))
        .stream()
        .map(c -> (X509Certificate) c)
        .toList();
  }
}
