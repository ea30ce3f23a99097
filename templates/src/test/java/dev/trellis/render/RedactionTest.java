package dev.trellis.render;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.GenericSecret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsSessionTicketKeys;
import org.junit.jupiter.api.Test;

class RedactionTest {

  private static final String KEY = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEG\n";
  private static final String CHAIN = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n";

  private static DataSource inline(String text) {
    return DataSource.newBuilder().setInlineBytes(ByteString.copyFromUtf8(text)).build();
  }

  private static TlsCertificate certificate() {
    return TlsCertificate.newBuilder()
        .setCertificateChain(inline(CHAIN))
        .setPrivateKey(inline(KEY))
        .setPassword(DataSource.newBuilder().setInlineString("hunter2"))
        .build();
  }

  @Test
  void aTlsCertificateKeepsItsChainAndLosesKeyAndPassword() {
    Secret secret =
        Secret.newBuilder().setName("identity").setTlsCertificate(certificate()).build();

    Secret shown = Redaction.redact(secret);

    assertThat(shown.getName()).isEqualTo("identity");
    TlsCertificate tls = shown.getTlsCertificate();
    assertThat(tls.getCertificateChain().getInlineBytes().toStringUtf8()).isEqualTo(CHAIN);
    assertThat(tls.getPrivateKey().getInlineBytes().toStringUtf8()).isEqualTo("[redacted]");
    assertThat(tls.getPassword().getInlineString()).isEqualTo("[redacted]");
    assertThat(shown.toString()).doesNotContain("MIGHAgEAMBMGByqGSM49AgEG", "hunter2");
  }

  @Test
  void genericSecretsAndSessionTicketKeysAreRedacted() {
    Secret generic =
        Secret.newBuilder()
            .setName("hmac")
            .setGenericSecret(GenericSecret.newBuilder().setSecret(inline("s3cr3t")))
            .build();
    Secret tickets =
        Secret.newBuilder()
            .setName("tickets")
            .setSessionTicketKeys(
                TlsSessionTicketKeys.newBuilder().addKeys(inline("k1")).addKeys(inline("k2")))
            .build();

    assertThat(Redaction.redact(generic).getGenericSecret().getSecret().getInlineBytes())
        .isEqualTo(ByteString.copyFromUtf8("[redacted]"));
    assertThat(Redaction.redact(tickets).getSessionTicketKeys().getKeysList())
        .extracting(d -> d.getInlineBytes().toStringUtf8())
        .containsExactly("[redacted]", "[redacted]");
  }

  @Test
  void keysInsideTypedConfigsAreRedactedAndPrintAsEnvoyPrintsThem() throws Exception {
    DownstreamTlsContext context =
        DownstreamTlsContext.newBuilder()
            .setCommonTlsContext(CommonTlsContext.newBuilder().addTlsCertificates(certificate()))
            .build();
    Listener listener =
        Listener.newBuilder()
            .setName("https")
            .addFilterChains(
                FilterChain.newBuilder()
                    .setTransportSocket(
                        TransportSocket.newBuilder()
                            .setName("envoy.transport_sockets.tls")
                            .setTypedConfig(Any.pack(context))))
            .build();

    Listener shown = Redaction.redact(listener);

    DownstreamTlsContext inside =
        shown
            .getFilterChains(0)
            .getTransportSocket()
            .getTypedConfig()
            .unpack(DownstreamTlsContext.class);
    TlsCertificate tls = inside.getCommonTlsContext().getTlsCertificates(0);
    assertThat(tls.getPrivateKey().getInlineBytes().toStringUtf8()).isEqualTo("[redacted]");
    assertThat(tls.getCertificateChain().getInlineBytes().toStringUtf8()).isEqualTo(CHAIN);
    String json = JsonFormat.printer().usingTypeRegistry(EnvoyTypes.registry()).print(shown);
    assertThat(json)
        .contains("\"W3JlZGFjdGVkXQ==\"") // base64 of [redacted], as in Envoy's config dump
        .doesNotContain(java.util.Base64.getEncoder().encodeToString(KEY.getBytes()), "hunter2");
  }

  @Test
  void aMessageWithoutSecretsIsReturnedAsItIs() {
    Listener listener = Listener.newBuilder().setName("plain").build();

    assertThat(Redaction.redact(listener)).isSameAs(listener);
  }
}
