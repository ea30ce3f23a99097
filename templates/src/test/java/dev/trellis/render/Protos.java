package dev.trellis.render;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.LoadBalancingPolicy;
import io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.load_balancing_policies.wrr_locality.v3.WrrLocality;
import java.util.ArrayList;
import java.util.List;

/** Test helpers to pick resources out of rendered groups and unpack typed configs. */
final class Protos {

  private Protos() {}

  static List<String> names(RenderedGroup g, ResourceType type) {
    return g.of(type).stream().map(RenderedResource::name).toList();
  }

  static RenderedResource resource(RenderedGroup g, ResourceType type, String name) {
    return g.of(type).stream()
        .filter(r -> r.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError(type + " '" + name + "' not in " + names(g, type)));
  }

  static Cluster cluster(RenderedGroup g, String name) {
    return (Cluster) resource(g, ResourceType.CLUSTER, name).proto();
  }

  static ClusterLoadAssignment endpoints(RenderedGroup g, String name) {
    return (ClusterLoadAssignment) resource(g, ResourceType.ENDPOINT, name).proto();
  }

  static Listener listener(RenderedGroup g, String name) {
    return (Listener) resource(g, ResourceType.LISTENER, name).proto();
  }

  static RouteConfiguration route(RenderedGroup g, String name) {
    return (RouteConfiguration) resource(g, ResourceType.ROUTE, name).proto();
  }

  /**
   * A cluster's load_balancing_policy as extension names, short (e.g. {@code least_request});
   * wrr_locality is followed by its endpoint picking policies in brackets.
   */
  static List<String> balancing(Cluster c) {
    return balancing(c.getLoadBalancingPolicy());
  }

  private static List<String> balancing(LoadBalancingPolicy p) {
    List<String> out = new ArrayList<>();
    for (LoadBalancingPolicy.Policy policy : p.getPoliciesList()) {
      TypedExtensionConfig config = policy.getTypedExtensionConfig();
      String name = config.getName().replace("envoy.load_balancing_policies.", "");
      if (name.equals("wrr_locality")) {
        WrrLocality wrr = unpack(config.getTypedConfig(), WrrLocality.class);
        name += balancing(wrr.getEndpointPickingPolicy());
      }
      out.add(name);
    }
    return out;
  }

  static <T extends Message> T unpack(Any any, Class<T> type) {
    try {
      return any.unpack(type);
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  /** The HTTP connection manager of a listener's first filter chain (or its api_listener). */
  static HttpConnectionManager hcm(Listener l) {
    if (l.hasApiListener()) {
      return unpack(l.getApiListener().getApiListener(), HttpConnectionManager.class);
    }
    return unpack(l.getFilterChains(0).getFilters(0).getTypedConfig(), HttpConnectionManager.class);
  }

  static TcpProxy tcpProxy(Listener l) {
    return unpack(l.getFilterChains(0).getFilters(0).getTypedConfig(), TcpProxy.class);
  }

  /** The line (1-based) of the first line of a default template containing {@code needle}. */
  static int lineOf(String template, String needle) {
    String[] lines = DefaultTemplates.all().get(template).split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].contains(needle)) {
        return i + 1;
      }
    }
    throw new AssertionError("'" + needle + "' not in " + template);
  }
}
