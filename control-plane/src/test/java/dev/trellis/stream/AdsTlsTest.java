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
  private static final String SECRET_TYPE = ResourceType.SECRET.typeUrl();

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

  private static DiscoveryRequest secrets(String cluster) {
    return DiscoveryRequest.newBuilder()
        .setNode(AdsStub.node(cluster + "-1", cluster, "envoy"))
        .setTypeUrl(SECRET_TYPE)
        .addResourceNames("identity")
        .addResourceNames("trust_bundle")
        .build();
  }

  @Test
  void anEnvoyNodeGetsOnlyItsOwnKey() throws Exception {
    try (var ads = AdsStub.sotw(channel(SpiffeId.of(TD, "ledger")))) {
      DiscoveryResponse response = ads.send(secrets("ledger")).next();
      List<Secret> secrets =
          response.getResourcesList().stream()
              .map(
                  any -> {
                    try {
                      return any.unpack(Secret.class);
                    } catch (Exception e) {
                      throw new AssertionError(e);
                    }
                  })
              .toList();
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
      Throwable error = ads.send(secrets("ledger")).error();
      Status status = Status.fromThrowable(error);
      assertThat(status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(status.getDescription())
          .isEqualTo(
              "A proxy presenting spiffe://"
                  + TD
                  + "/service/payments may not have the config of group 'ledger'");
    }
    assertThat(cp.xds().proxies()).isEmpty();
  }

  @Test
  void gatewaysAndProxylessAppsAskForTheirOwnGroups() throws Exception {
    try (var ads = AdsStub.sotw(channel(SpiffeId.gateway(TD, "public")))) {
      assertThat(ads.send(secrets("public")).next().getResourcesCount()).isEqualTo(2);
    }
    try (var ads = AdsStub.sotw(channel(SpiffeId.gateway(TD, "public")))) {
      assertThat(Status.fromThrowable(ads.send(secrets("checkout")).error()).getCode())
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
      assertThat(Status.fromThrowable(ads.send(secrets("ledger")).error()).getCode())
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
