package dev.trellis.analyze.mesh;

import com.google.protobuf.Any;
import dev.trellis.analyze.Level;
import dev.trellis.analyze.MeshCheck;
import dev.trellis.analyze.MeshContext;
import dev.trellis.analyze.Rule;
import dev.trellis.model.ServiceDef;
import dev.trellis.render.ProxyGroup;
import dev.trellis.render.RenderedGroup;
import dev.trellis.render.RenderedMesh;
import dev.trellis.render.RenderedResource;
import dev.trellis.render.ResourceType;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A proxy that sends plaintext to a port where a service's own proxy accepts only TLS (TRL305),
 * read from the rendered config of both sides.
 *
 * <p>A service's strict ports are the ports of the listeners of its serving groups (its sidecar
 * group, and {@code grpc:<service>} for a proxyless gRPC server) that are bound to a non-loopback
 * address and whose every filter chain terminates TLS. A caller is any other group with a Cluster
 * named after the service that originates no TLS and whose endpoints (the group's
 * ClusterLoadAssignment of that name, or the cluster's inline one) include a strict port. That
 * covers a callee whose sidecar went strict while a caller's rendered config (a template override,
 * a proxyless gRPC client) still sends plaintext.
 */
public final class PlaintextToStrictPortCheck implements MeshCheck {

  public static final Rule RULE =
      new Rule(
          "TRL305",
          "plaintext-to-strict-port",
          Level.ERROR,
          "A proxy sends plaintext to a port that accepts only mTLS.",
          "Once a service's sidecar is enabled and strict, its inbound listener terminates TLS"
              + " on every filter chain and refuses plaintext. A caller's proxy must then"
              + " originate TLS on its cluster for that service. The rule compares the rendered"
              + " config of both sides: a cluster without a TLS transport socket whose endpoints"
              + " are on a strict port means every call through it fails the handshake. The usual"
              + " cause is a template override that drops the transport socket, or a caller that"
              + " cannot originate mTLS (a proxyless gRPC client without certificate providers).");

  @Override
  public List<Rule> rules() {
    return List.of(RULE);
  }

  /** A port of a service that accepts only TLS: which group's which listener serves it. */
  private record StrictPort(int port, String group, String listener) {}

  @Override
  public void check(MeshContext context) {
    RenderedMesh rendered = context.rendered();
    Map<String, Map<Integer, StrictPort>> strict = new TreeMap<>();
    for (ServiceDef s : context.mesh().services().values()) {
      Map<Integer, StrictPort> ports = new TreeMap<>();
      for (String id : servingGroups(s)) {
        RenderedGroup g = rendered.groups().get(id);
        if (g != null) {
          for (RenderedResource r : g.of(ResourceType.LISTENER)) {
            strictPort((Listener) r.proto())
                .ifPresent(p -> ports.putIfAbsent(p, new StrictPort(p, id, r.name())));
          }
        }
      }
      if (!ports.isEmpty()) {
        strict.put(s.name(), ports);
      }
    }
    if (strict.isEmpty()) {
      return;
    }
    for (RenderedGroup caller : rendered.groups().values()) {
      for (RenderedResource r : caller.of(ResourceType.CLUSTER)) {
        Map<Integer, StrictPort> ports = strict.get(r.name());
        if (ports == null || servingGroups(r.name()).contains(caller.group().id())) {
          continue;
        }
        Cluster cluster = (Cluster) r.proto();
        if (originatesTls(cluster)) {
          continue;
        }
        TreeSet<Integer> hit = new TreeSet<>(endpointPorts(caller, cluster));
        hit.retainAll(ports.keySet());
        if (hit.isEmpty()) {
          continue;
        }
        StrictPort port = ports.get(hit.first());
        context.report(
            RULE,
            r.origin().definition(),
            "Cluster '"
                + r.name()
                + "' of group '"
                + caller.group().id()
                + "' sends plaintext to port "
                + port.port()
                + " of '"
                + r.name()
                + "', where listener '"
                + port.listener()
                + "' of group '"
                + port.group()
                + "' accepts only TLS: every call through it would fail"
                + template(r),
            port.group());
      }
    }
  }

  private static List<String> servingGroups(ServiceDef s) {
    return servingGroups(s.name());
  }

  private static List<String> servingGroups(String service) {
    return List.of(ProxyGroup.sidecar(service).id(), ProxyGroup.grpc(service).id());
  }

  /** The listener's port if it is bound beyond loopback and every filter chain is TLS. */
  private static Optional<Integer> strictPort(Listener l) {
    if (!l.hasAddress() || !l.getAddress().hasSocketAddress()) {
      return Optional.empty();
    }
    SocketAddress a = l.getAddress().getSocketAddress();
    if (loopback(a.getAddress())
        || a.getPortSpecifierCase() != SocketAddress.PortSpecifierCase.PORT_VALUE) {
      return Optional.empty();
    }
    List<FilterChain> chains = new ArrayList<>(l.getFilterChainsList());
    if (l.hasDefaultFilterChain()) {
      chains.add(l.getDefaultFilterChain());
    }
    if (chains.isEmpty()
        || !chains.stream()
            .allMatch(c -> holds(c.getTransportSocket(), DownstreamTlsContext.class))) {
      return Optional.empty();
    }
    return Optional.of(a.getPortValue());
  }

  private static boolean loopback(String address) {
    return address.startsWith("127.") || address.equals("::1") || address.equals("localhost");
  }

  /** Whether any transport socket of the cluster originates TLS (then it is not plaintext). */
  private static boolean originatesTls(Cluster c) {
    return holds(c.getTransportSocket(), UpstreamTlsContext.class)
        || c.getTransportSocketMatchesList().stream()
            .anyMatch(m -> holds(m.getTransportSocket(), UpstreamTlsContext.class));
  }

  private static boolean holds(
      TransportSocket socket, Class<? extends com.google.protobuf.Message> t) {
    Any config = socket.getTypedConfig();
    return socket.hasTypedConfig() && config.is(t);
  }

  /** Ports of the cluster's endpoints: its inline assignment, or the group's EDS assignment. */
  private static List<Integer> endpointPorts(RenderedGroup group, Cluster cluster) {
    List<ClusterLoadAssignment> assignments = new ArrayList<>();
    if (cluster.hasLoadAssignment()) {
      assignments.add(cluster.getLoadAssignment());
    }
    String edsName =
        cluster.getEdsClusterConfig().getServiceName().isEmpty()
            ? cluster.getName()
            : cluster.getEdsClusterConfig().getServiceName();
    for (RenderedResource r : group.of(ResourceType.ENDPOINT)) {
      if (r.name().equals(edsName)) {
        assignments.add((ClusterLoadAssignment) r.proto());
      }
    }
    List<Integer> ports = new ArrayList<>();
    for (ClusterLoadAssignment cla : assignments) {
      for (LocalityLbEndpoints locality : cla.getEndpointsList()) {
        for (LbEndpoint e : locality.getLbEndpointsList()) {
          var address = e.getEndpoint().getAddress();
          if (address.hasSocketAddress()) {
            ports.add(address.getSocketAddress().getPortValue());
          }
        }
      }
    }
    return ports;
  }

  private static String template(RenderedResource r) {
    return r.origin().template().isEmpty()
        ? ""
        : " [template '" + r.origin().template() + "' line " + r.origin().templateLine() + "]";
  }
}
