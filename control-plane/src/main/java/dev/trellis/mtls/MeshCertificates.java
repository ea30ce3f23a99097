package dev.trellis.mtls;

import dev.trellis.render.RenderedGroup;
import dev.trellis.render.RenderedMesh;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mesh CA as the control plane uses it: workload certificates for the trust domain of the mesh
 * being served, attached as SDS secrets (see {@link WorkloadSecrets}), and a callback whenever one
 * is renewed so that the served secrets can follow. Thread-safe.
 *
 * <p>With a given CA only that CA's trust domain can be served. Without one, a root is generated
 * for the first trust domain served (and a new one if the mesh moves to another trust domain): fine
 * for a single control plane, while a replicated one needs the CA it is given.
 */
public final class MeshCertificates implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(MeshCertificates.class);

  /** The name in the control plane's own SPIFFE ID, {@code spiffe://<td>/control-plane/trellis}. */
  public static final String CONTROL_PLANE_NAME = "trellis";

  private final Optional<CertificateAuthority> given;
  private final Duration lifetime;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final Runnable onRenewal;

  private final Set<SpiffeId> issuedOnce = ConcurrentHashMap.newKeySet();

  /** Each group's last attach, so that a group rendered again as the same object costs nothing. */
  private final Map<String, WorkloadSecrets.Attached> attached = new ConcurrentHashMap<>();

  private final Map<SpiffeId, Consumer<IssuedCertificate>> ownCertificates =
      new ConcurrentHashMap<>();

  // Guarded by this.
  private CertificateAuthority ca;
  private CertificateStore store;

  /**
   * @param ca the CA to issue from, or empty to generate a root per trust domain
   * @param onRenewal called (on the store's timer thread; it must return quickly) after a
   *     certificate already served was renewed
   */
  public MeshCertificates(
      Optional<CertificateAuthority> ca,
      Duration lifetime,
      Clock clock,
      ScheduledExecutorService scheduler,
      Runnable onRenewal) {
    this.given = Objects.requireNonNull(ca, "ca");
    this.lifetime = Objects.requireNonNull(lifetime, "lifetime");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.onRenewal = Objects.requireNonNull(onRenewal, "onRenewal");
    given.ifPresent(this::use);
  }

  /**
   * The mesh with each Envoy group's secrets attached.
   *
   * @throws IllegalArgumentException if a CA was given for another trust domain
   */
  public RenderedMesh attach(RenderedMesh mesh) {
    attached.keySet().retainAll(mesh.groups().keySet());
    if (mesh.groups().values().stream().noneMatch(g -> WorkloadSecrets.needsSecrets(g, attached))) {
      return mesh;
    }
    String trustDomain = mesh.mesh().config().trustDomain();
    return new WorkloadSecrets(storeFor(trustDomain), attached).attach(mesh);
  }

  /** These groups with their secrets attached again from the current certificates. */
  public List<RenderedGroup> attach(Collection<RenderedGroup> groups, String trustDomain) {
    if (groups.stream().noneMatch(g -> WorkloadSecrets.needsSecrets(g, attached))) {
      return List.copyOf(groups);
    }
    WorkloadSecrets secrets = new WorkloadSecrets(storeFor(trustDomain), attached);
    return groups.stream().map(g -> secrets.attach(g, trustDomain)).toList();
  }

  /**
   * TLS for the xDS server: a certificate of {@code spiffe://<td>/control-plane/trellis} from the
   * mesh CA, renewed in place, and client certificates required and verified against the mesh roots
   * (which client may have which config is {@code PeerIdentity}'s job).
   */
  public ServerCredentials xdsServerCredentials(String trustDomain) {
    CertificateStore store = storeFor(trustDomain);
    CertificateAuthority authority = authority(trustDomain);
    AdvancedTlsX509KeyManager keys = new AdvancedTlsX509KeyManager();
    SpiffeId id = SpiffeId.controlPlane(trustDomain, CONTROL_PLANE_NAME);
    ownCertificates.put(id, c -> useIdentity(keys, c));
    useIdentity(keys, store.certificateFor(id));
    AdvancedTlsX509TrustManager trust;
    try {
      trust =
          AdvancedTlsX509TrustManager.newBuilder()
              .setVerification(
                  AdvancedTlsX509TrustManager.Verification.CERTIFICATE_ONLY_VERIFICATION)
              .build();
      trust.updateTrustCredentials(authority.trustBundle().toArray(new X509Certificate[0]));
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot trust the mesh roots", e);
    }
    return TlsServerCredentials.newBuilder()
        .keyManager(keys)
        .trustManager(trust)
        .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE)
        .build();
  }

  private static void useIdentity(AdvancedTlsX509KeyManager keys, IssuedCertificate c) {
    keys.updateIdentityCredentials(c.chain().toArray(new X509Certificate[0]), c.key());
  }

  /** The CA of {@code trustDomain}, generating one if none was given. */
  public synchronized CertificateAuthority authority(String trustDomain) {
    storeFor(trustDomain);
    return ca;
  }

  private synchronized CertificateStore storeFor(String trustDomain) {
    if (ca != null && ca.trustDomain().equals(trustDomain)) {
      return store;
    }
    if (given.isPresent()) {
      throw new IllegalArgumentException(
          "mesh.yaml: trustDomain '"
              + trustDomain
              + "' differs from the trust domain '"
              + given.get().trustDomain()
              + "' of the mesh CA; certificates cannot be issued");
    }
    LOG.info("Generating a mesh CA root for trust domain '{}'", trustDomain);
    use(CertificateAuthority.generate(trustDomain, clock));
    return store;
  }

  private synchronized void use(CertificateAuthority authority) {
    if (store != null) {
      store.close();
    }
    ca = authority;
    issuedOnce.clear();
    store = new CertificateStore(authority, lifetime, clock, scheduler, this::issued);
  }

  /**
   * Called by a store with its lock held, so it takes no lock of ours. The first certificate of an
   * identity is issued while attaching, and served by that publish; only renewals call back.
   */
  private void issued(IssuedCertificate certificate) {
    Consumer<IssuedCertificate> own = ownCertificates.get(certificate.id());
    if (own != null) {
      own.accept(certificate);
      return;
    }
    if (!issuedOnce.add(certificate.id())) {
      onRenewal.run();
    }
  }

  @Override
  public synchronized void close() {
    if (store != null) {
      store.close();
    }
  }
}
