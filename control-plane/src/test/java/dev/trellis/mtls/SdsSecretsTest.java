package dev.trellis.mtls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import java.time.Instant;
import java.util.List;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

class SdsSecretsTest {

  static final SpiffeId WEB = SpiffeId.of("cluster.local", "web");
  static final SpiffeId API = SpiffeId.of("cluster.local", "api");

  final FakeClock clock = new FakeClock(Instant.parse("2030-01-01T00:00:00Z"));
  final IssuedCertificate issued;

  SdsSecretsTest() throws CaException {
    issued =
        CertificateAuthority.withIntermediate(
                RootCa.generate("cluster.local", clock), "cluster.local", clock)
            .issue(WEB);
  }

  @Test
  void identityCarriesTheChainAndPkcs8KeyInline() throws Exception {
    Secret secret = SdsSecrets.identity(issued);

    assertThat(secret.getName()).isEqualTo("identity");
    assertThat(secret.hasTlsCertificate()).isTrue();
    var tls = secret.getTlsCertificate();
    assertThat(tls.getCertificateChain().getInlineBytes().toStringUtf8())
        .isEqualTo(issued.chainPem());
    assertThat(
            CertificateAuthorityTest.readCertificates(
                tls.getCertificateChain().getInlineBytes().toStringUtf8()))
        .isEqualTo(issued.chain());
    assertThat(tls.getPrivateKey().getInlineBytes().toStringUtf8())
        .isEqualTo(issued.privateKeyPem())
        .startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(SdsSecrets.tlsCertificate("spiffe://cluster.local/service/web", issued).getName())
        .isEqualTo("spiffe://cluster.local/service/web");
  }

  @Test
  void trustBundleAcceptsAnyPeerTheRootsVerify() throws Exception {
    Secret secret = SdsSecrets.trustBundle(issued.trustBundle());

    assertThat(secret.getName()).isEqualTo("trust_bundle");
    var context = secret.getValidationContext();
    assertThat(
            CertificateAuthorityTest.readCertificates(
                context.getTrustedCa().getInlineBytes().toStringUtf8()))
        .isEqualTo(issued.trustBundle());
    assertThat(context.getMatchTypedSubjectAltNamesList()).isEmpty();
  }

  @Test
  void validationContextMatchesAllowedSpiffeIdsExactlyInSortedOrder() {
    Secret secret =
        SdsSecrets.validationContext(
            "trust_bundle|inbound", issued.trustBundle(), List.of(WEB, API, WEB));

    assertThat(secret.getName()).isEqualTo("trust_bundle|inbound");
    assertThat(secret.getValidationContext().getMatchTypedSubjectAltNamesList())
        .extracting(SubjectAltNameMatcher::getSanType, m -> m.getMatcher().getExact())
        .containsExactly(
            Tuple.tuple(SubjectAltNameMatcher.SanType.URI, "spiffe://cluster.local/service/api"),
            Tuple.tuple(SubjectAltNameMatcher.SanType.URI, "spiffe://cluster.local/service/web"));
    assertThat(SdsSecrets.validationContext("x", issued.trustBundle(), List.of(API, WEB)))
        .isEqualTo(SdsSecrets.validationContext("x", issued.trustBundle(), List.of(WEB, API)));
  }

  @Test
  void rejectsEmptyNamesAndBundles() {
    assertThatThrownBy(() -> SdsSecrets.validationContext("x", List.of(), List.of()))
        .hasMessage("validation context 'x' has no trusted roots");
    assertThatThrownBy(() -> SdsSecrets.tlsCertificate("", issued))
        .hasMessage("secret name is empty");
  }
}
