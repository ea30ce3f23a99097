package dev.trellis.mtls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trellis.model.DefinitionTree;
import dev.trellis.model.Mesh;
import dev.trellis.model.load.DefinitionLoader;
import dev.trellis.publish.GroupUpdate;
import dev.trellis.publish.PackedResources;
import dev.trellis.publish.PublishResult;
import dev.trellis.publish.SnapshotPublisher;
import dev.trellis.render.MeshRenderer;
import dev.trellis.render.RenderedGroup;
import dev.trellis.render.RenderedMesh;
import dev.trellis.render.RenderedResource;
import dev.trellis.render.ResourceType;
import dev.trellis.stream.NodeGroup;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Secrets per group from the mesh CA, over the sample mesh at its mixed rollout stage. */
class WorkloadSecretsTest {

  private static final Mesh SAMPLE =
      DefinitionLoader.load(DefinitionTree.fromDirectory(Path.of("..", "samples", "mesh")))
          .orElseThrow();
  private static final RenderedMesh RENDERED = new MeshRenderer().render(SAMPLE);
  private static final String TD = SAMPLE.config().trustDomain();

  private final FakeClock clock = new FakeClock(Instant.parse("2026-03-01T00:00:00Z"));
  private final FakeScheduler scheduler = new FakeScheduler(clock);
  private final CertificateAuthority ca = CertificateAuthority.generate(TD, clock);

  @Test
  void eachEnvoyGroupGetsItsOwnIdentityAndTheTrustBundleOnlyIfItsConfigAsksForThem() {
    CertificateStore store =
        new CertificateStore(ca, Duration.ofHours(24), clock, scheduler, c -> {});
    RenderedMesh attached = new WorkloadSecrets(store).attach(RENDERED);

    Map<String, List<String>> secretsByGroup = new TreeMap<>();
    attached
        .groups()
        .forEach(
            (id, g) -> {
              List<String> names = g.of(ResourceType.SECRET).stream().map(r -> r.name()).toList();
              if (!names.isEmpty()) {
                secretsByGroup.put(id, names);
              }
            });
    // pricing is disable and calls no one over mTLS; grpc:* groups read files; the rest ask.
    List<String> both = List.of("identity", "trust_bundle");
    assertThat(secretsByGroup)
        .containsOnlyKeys(
            "cart", "catalog", "checkout", "ledger", "payments", "public", "web-frontend")
        .allSatisfy((id, names) -> assertThat(names).isEqualTo(both));

    for (String id : secretsByGroup.keySet()) {
      RenderedGroup g = attached.groups().get(id);
      Secret identity = (Secret) secret(g, "identity").proto();
      X509Certificate leaf =
          parse(identity.getTlsCertificate().getCertificateChain().getInlineBytes().toStringUtf8())
              .get(0);
      String expected =
          id.equals("public")
              ? "spiffe://" + TD + "/gateway/public"
              : "spiffe://" + TD + "/service/" + id;
      assertThat(Certificates.uriSans(leaf)).as(id).containsExactly(expected);
      assertThat(identity.getTlsCertificate().getPrivateKey().getInlineBytes().toStringUtf8())
          .isEqualTo(store.current(GroupIdentity.of(g.group(), TD)).orElseThrow().privateKeyPem());
      Secret bundle = (Secret) secret(g, "trust_bundle").proto();
      assertThat(
              parse(bundle.getValidationContext().getTrustedCa().getInlineBytes().toStringUtf8()))
          .containsExactlyElementsOf(ca.trustBundle());
    }
    // Every other resource is exactly what was rendered.
    for (var e : RENDERED.groups().entrySet()) {
      List<RenderedResource> rest = new ArrayList<>(attached.groups().get(e.getKey()).resources());
      rest.removeIf(r -> r.type() == ResourceType.SECRET);
      assertThat(rest).isEqualTo(e.getValue().resources());
    }
    // One certificate per identity that asked; no proxyless or plaintext-only group got one.
    assertThat(store.certificates()).hasSize(secretsByGroup.size());
  }

  @Test
  void aRenewalChangesOnlyTheSecretsOfTheGroupsWhoseCertificateWasRenewed() {
    AtomicInteger renewals = new AtomicInteger();
    MeshCertificates certificates =
        new MeshCertificates(
            Optional.of(ca), Duration.ofHours(3), clock, scheduler, renewals::incrementAndGet);
    SnapshotPublisher publisher =
        new SnapshotPublisher(new SimpleCache<>(new NodeGroup()), new PackedResources());
    RenderedMesh first = certificates.attach(RENDERED);
    publisher.publish(first);
    assertThat(renewals).hasValue(0);
    // The same rendered group with the same certificate: the same attached group, not a copy.
    assertThat(certificates.attach(RENDERED).groups().get("cart"))
        .isSameAs(first.groups().get("cart"));

    scheduler.advance(Duration.ofHours(2).plusMinutes(1)); // past 2/3 of 3 h
    assertThat(renewals.get()).isEqualTo(7);
    RenderedMesh renewed = certificates.attach(RENDERED);
    assertThat(renewed.groups().get("cart")).isNotSameAs(first.groups().get("cart"));
    PublishResult result = publisher.publish(renewed);
    assertThat(result.updated())
        .hasSize(7)
        .allSatisfy(u -> assertThat(u.changedTypes()).containsExactly(ResourceType.SECRET));
    assertThat(result.updated().stream().map(GroupUpdate::group))
        .containsExactlyInAnyOrder(
            "cart", "catalog", "checkout", "ledger", "payments", "public", "web-frontend");

    // Nothing renewed since: publishing again changes nothing.
    assertThat(publisher.publish(certificates.attach(RENDERED)).updated()).isEmpty();
  }

  @Test
  void aGivenCaServesOnlyItsOwnTrustDomain() {
    MeshCertificates other =
        new MeshCertificates(
            Optional.of(CertificateAuthority.generate("other.example", clock)),
            Duration.ofHours(1),
            clock,
            scheduler,
            () -> {});
    assertThatThrownBy(() -> other.attach(RENDERED))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "mesh.yaml: trustDomain '"
                + TD
                + "' differs from the trust domain 'other.example' of the mesh CA; certificates"
                + " cannot be issued");
  }

  @Test
  void withoutAGivenCaARootIsGeneratedForTheMeshTrustDomain() {
    MeshCertificates generated =
        new MeshCertificates(Optional.empty(), Duration.ofHours(1), clock, scheduler, () -> {});
    RenderedMesh attached = generated.attach(RENDERED);
    assertThat(generated.authority(TD).trustDomain()).isEqualTo(TD);
    Secret bundle = (Secret) secret(attached.groups().get("public"), "trust_bundle").proto();
    assertThat(parse(bundle.getValidationContext().getTrustedCa().getInlineBytes().toStringUtf8()))
        .containsExactlyElementsOf(generated.authority(TD).trustBundle());
  }

  @Test
  void requestedSecretsAreReadFromListenersAndClusters() {
    assertThat(WorkloadSecrets.requestedSecrets(RENDERED.groups().get("pricing"))).isEmpty();
    assertThat(WorkloadSecrets.requestedSecrets(RENDERED.groups().get("ledger")))
        .isEqualTo(Set.of("identity", "trust_bundle"));
  }

  private static RenderedResource secret(RenderedGroup g, String name) {
    return g.of(ResourceType.SECRET).stream()
        .filter(r -> r.name().equals(name))
        .findFirst()
        .orElseThrow();
  }

  private static List<X509Certificate> parse(String pem) {
    try {
      List<X509Certificate> out = new ArrayList<>();
      CertificateFactory f = CertificateFactory.getInstance("X.509");
      for (var c :
          f.generateCertificates(
              new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
        out.add((X509Certificate) c);
      }
      return out;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
