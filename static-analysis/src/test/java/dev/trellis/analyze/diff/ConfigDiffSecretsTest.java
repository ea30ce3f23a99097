package dev.trellis.analyze.diff;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.trellis.render.Origin;
import dev.trellis.render.ProxyGroup;
import dev.trellis.render.RenderedGroup;
import dev.trellis.render.RenderedMesh;
import dev.trellis.render.RenderedResource;
import dev.trellis.render.ResourceType;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** {@code trellis diff} shows that a secret changed, never its value. */
class ConfigDiffSecretsTest {

  private static RenderedMesh mesh(String key, String chain) {
    Secret secret =
        Secret.newBuilder()
            .setName("edge")
            .setTlsCertificate(
                TlsCertificate.newBuilder()
                    .setCertificateChain(
                        DataSource.newBuilder().setInlineBytes(ByteString.copyFromUtf8(chain)))
                    .setPrivateKey(DataSource.newBuilder().setInlineString(key)))
            .build();
    RenderedGroup group =
        new RenderedGroup(
            ProxyGroup.edge("public"),
            List.of(
                new RenderedResource(
                    ResourceType.SECRET, "edge", secret, new Origin("t.yaml.j2", 1, null))));
    return new RenderedMesh(null, new TreeMap<>(Map.of("public", group)));
  }

  @Test
  void aChangedKeyIsShownAsRedacted() {
    String text =
        ConfigDiff.between(mesh("old-key-1234", "chain"), mesh("new-key-5678", "chain")).text();

    assertThat(text)
        .contains("(sensitive fields)", "[redacted]")
        .doesNotContain("old-key", "new-key");
  }

  @Test
  void otherFieldsBesideASecretAreShownAsTheyAre() {
    ConfigDiff diff = ConfigDiff.between(mesh("k", "chain-a"), mesh("k", "chain-b"));

    assertThat(diff.groups().get(0).resources().get(0).fields())
        .doesNotContain(ConfigDiff.SENSITIVE_CHANGE)
        .extracting(ConfigDiff.FieldChange::path)
        .containsExactly("tls_certificate.certificate_chain.inline_bytes");
  }
}
