package dev.trellis.mtls;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.trellis.model.SourceLocation;
import dev.trellis.render.MeshSecrets;
import dev.trellis.render.Origin;
import dev.trellis.render.ProxyKind;
import dev.trellis.render.RenderedGroup;
import dev.trellis.render.RenderedMesh;
import dev.trellis.render.RenderedResource;
import dev.trellis.render.ResourceType;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Adds to each Envoy group the SDS secrets its TLS contexts ask for over ADS, from a certificate
 * store: {@value MeshSecrets#IDENTITY} holds the group's own certificate and key (see {@link
 * GroupIdentity}), {@value MeshSecrets#TRUST_BUNDLE} the mesh roots. A group gets no other
 * identity's key, and a group whose config asks for neither gets no secret at all.
 *
 * <p>Certificates are issued on first use and renewed by the store; attaching again after a renewal
 * changes only the secrets, so a publish then pushes only SDS.
 */
public final class WorkloadSecrets {

  static final Origin ORIGIN = new Origin("(mesh CA)", 0, SourceLocation.ofFile("mesh.yaml"));

  private final CertificateStore store;
  private final Map<String, Attached> memo;

  /**
   * The last attach of one group: the rendered group, the secrets it asks for, the certificate
   * attached (null: none yet) and the result. Rendering reuses unchanged groups as the same object,
   * so the same input with the same certificate gives the same output without reading the group's
   * TLS contexts again.
   */
  record Attached(
      RenderedGroup input,
      Set<String> wanted,
      IssuedCertificate certificate,
      RenderedGroup output) {}

  public WorkloadSecrets(CertificateStore store) {
    this(store, new ConcurrentHashMap<>());
  }

  /** With {@code memo} kept by the caller from one attach to the next (by group id). */
  WorkloadSecrets(CertificateStore store, Map<String, Attached> memo) {
    this.store = store;
    this.memo = memo;
  }

  /**
   * The mesh with secrets added to every group that asks for them.
   *
   * @throws IllegalArgumentException if the mesh's trust domain is not the CA's
   */
  public RenderedMesh attach(RenderedMesh mesh) {
    String trustDomain = mesh.mesh().config().trustDomain();
    SortedMap<String, RenderedGroup> groups = new TreeMap<>();
    mesh.groups().forEach((id, g) -> groups.put(id, attach(g, trustDomain)));
    return new RenderedMesh(mesh.mesh(), groups);
  }

  /** Whether the group asks for secrets this class provides. */
  public static boolean needsSecrets(RenderedGroup group) {
    return !wanted(group).isEmpty();
  }

  /** As {@link #needsSecrets(RenderedGroup)}, remembering the answer in {@code memo}. */
  static boolean needsSecrets(RenderedGroup group, Map<String, Attached> memo) {
    return !wanted(group, memo).isEmpty();
  }

  private static Set<String> wanted(RenderedGroup group, Map<String, Attached> memo) {
    Attached last = memo.get(group.group().id());
    if (last != null && last.input() == group) {
      return last.wanted();
    }
    Set<String> wanted = wanted(group);
    memo.put(group.group().id(), new Attached(group, wanted, null, null));
    return wanted;
  }

  /** The provided secrets the group asks for; proxyless gRPC groups read files instead. */
  private static Set<String> wanted(RenderedGroup group) {
    if (group.group().kind() == ProxyKind.GRPC) {
      return Set.of();
    }
    Set<String> wanted = requestedSecrets(group);
    wanted.retainAll(MeshSecrets.PROVIDED);
    return wanted;
  }

  /** One group with the secrets it asks for. */
  public RenderedGroup attach(RenderedGroup group, String trustDomain) {
    Set<String> wanted = wanted(group, memo);
    if (wanted.isEmpty()) {
      return group;
    }
    IssuedCertificate certificate =
        store.certificateFor(GroupIdentity.of(group.group(), trustDomain));
    Attached last = memo.get(group.group().id());
    if (last.input() == group && last.certificate() == certificate) {
      return last.output();
    }
    List<RenderedResource> resources = new ArrayList<>(group.resources());
    resources.removeIf(
        r -> r.type() == ResourceType.SECRET && MeshSecrets.PROVIDED.contains(r.name()));
    for (String name : wanted) {
      Secret secret =
          name.equals(MeshSecrets.IDENTITY)
              ? SdsSecrets.identity(certificate)
              : SdsSecrets.trustBundle(certificate.trustBundle());
      resources.add(new RenderedResource(ResourceType.SECRET, name, secret, ORIGIN));
    }
    RenderedGroup out = new RenderedGroup(group.group(), resources);
    memo.put(group.group().id(), new Attached(group, wanted, certificate, out));
    return out;
  }

  /** Names of the secrets the group's listeners and clusters ask SDS for over ADS. */
  static Set<String> requestedSecrets(RenderedGroup group) {
    Set<String> names = new TreeSet<>();
    for (Cluster c : group.protos(ResourceType.CLUSTER, Cluster.class)) {
      addFrom(c.getTransportSocket(), names);
      c.getTransportSocketMatchesList().forEach(m -> addFrom(m.getTransportSocket(), names));
    }
    for (Listener l : group.protos(ResourceType.LISTENER, Listener.class)) {
      for (FilterChain chain : l.getFilterChainsList()) {
        addFrom(chain.getTransportSocket(), names);
      }
      addFrom(l.getDefaultFilterChain().getTransportSocket(), names);
    }
    return names;
  }

  private static void addFrom(TransportSocket socket, Set<String> names) {
    Any config = socket.getTypedConfig();
    try {
      if (config.is(UpstreamTlsContext.class)) {
        addFrom(config.unpack(UpstreamTlsContext.class).getCommonTlsContext(), names);
      } else if (config.is(DownstreamTlsContext.class)) {
        addFrom(config.unpack(DownstreamTlsContext.class).getCommonTlsContext(), names);
      }
    } catch (InvalidProtocolBufferException e) {
      // Rendering parsed it from YAML, so it packs and unpacks; analysis reports anything else.
      throw new IllegalStateException("unreadable TLS context in a rendered resource", e);
    }
  }

  private static void addFrom(CommonTlsContext context, Set<String> names) {
    List<SdsSecretConfig> refs = new ArrayList<>(context.getTlsCertificateSdsSecretConfigsList());
    if (context.hasValidationContextSdsSecretConfig()) {
      refs.add(context.getValidationContextSdsSecretConfig());
    }
    if (context.getCombinedValidationContext().hasValidationContextSdsSecretConfig()) {
      refs.add(context.getCombinedValidationContext().getValidationContextSdsSecretConfig());
    }
    for (SdsSecretConfig ref : refs) {
      if (ref.getSdsConfig().hasAds()) {
        names.add(ref.getName());
      }
    }
  }
}
