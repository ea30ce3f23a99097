package dev.trellis.analyze.mesh;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.trellis.analyze.MeshContext;
import dev.trellis.model.EdgeExposure;
import dev.trellis.model.ServiceDef;
import dev.trellis.render.RenderedGroup;
import dev.trellis.render.ResourceType;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The routes of a gateway's rendered config that send traffic to one exposed service (to its
 * cluster, named after it), with what an edge check needs around them: their virtual host and route
 * configuration, and the HTTP connection managers that serve that route configuration.
 */
final class EdgeRoutes {

  /** One route to the service. */
  record Site(
      RouteConfiguration config,
      VirtualHost host,
      Route route,
      List<HttpConnectionManager> managers) {

    /** Where the route is, for messages: configuration, virtual host and match. */
    String where() {
      return "route configuration '"
          + config.getName()
          + "', virtual host '"
          + host.getName()
          + "', "
          + match(route.getMatch());
    }

    /** The virtual host, for messages. */
    String hostWhere() {
      return "virtual host '"
          + host.getName()
          + "' of route configuration '"
          + config.getName()
          + "'";
    }

    /**
     * The typed per-filter config of {@code filter} that applies to this route: the route's, else
     * its virtual host's, unpacked as {@code type}.
     */
    <T extends Message> Optional<T> perFilter(String filter, Class<T> type) {
      Any any = route.getTypedPerFilterConfigOrDefault(filter, null);
      if (any == null) {
        any = host.getTypedPerFilterConfigOrDefault(filter, null);
      }
      return unpack(any, type);
    }
  }

  /** A service exposed at the edge, with the routes its gateway's rendered config has to it. */
  record Exposed(ServiceDef service, EdgeExposure edge, List<Site> sites) {}

  private EdgeRoutes() {}

  /** Every service exposed at the edge, in name order, with its sites. */
  static List<Exposed> exposed(MeshContext context) {
    List<Exposed> out = new ArrayList<>();
    for (ServiceDef s : context.mesh().services().values()) {
      s.edge()
          .ifPresent(
              edge ->
                  out.add(
                      new Exposed(
                          s, edge, of(context.rendered().groups().get(edge.gateway()), s))));
    }
    return out;
  }

  /** The routes of the service's gateway to it; empty if the gateway was not rendered. */
  static List<Site> of(RenderedGroup gateway, ServiceDef service) {
    List<Site> out = new ArrayList<>();
    if (gateway == null) {
      return out;
    }
    List<Listener> listeners = gateway.protos(ResourceType.LISTENER, Listener.class);
    for (RouteConfiguration rc : gateway.protos(ResourceType.ROUTE, RouteConfiguration.class)) {
      List<HttpConnectionManager> managers = managers(listeners, rc.getName());
      for (VirtualHost vh : rc.getVirtualHostsList()) {
        for (Route route : vh.getRoutesList()) {
          if (route.hasRoute() && targets(route.getRoute(), service.name())) {
            out.add(new Site(rc, vh, route, managers));
          }
        }
      }
    }
    return out;
  }

  /** The connection managers of {@code listeners} that load route configuration {@code name}. */
  private static List<HttpConnectionManager> managers(List<Listener> listeners, String name) {
    List<HttpConnectionManager> out = new ArrayList<>();
    for (Listener l : listeners) {
      for (FilterChain chain : l.getFilterChainsList()) {
        for (Filter f : chain.getFiltersList()) {
          unpack(f.hasTypedConfig() ? f.getTypedConfig() : null, HttpConnectionManager.class)
              .filter(hcm -> hcm.hasRds() && hcm.getRds().getRouteConfigName().equals(name))
              .ifPresent(out::add);
        }
      }
    }
    return out;
  }

  static <T extends Message> Optional<T> unpack(Any any, Class<T> type) {
    if (any == null || !any.is(type)) {
      return Optional.empty();
    }
    try {
      return Optional.of(any.unpack(type));
    } catch (InvalidProtocolBufferException e) {
      return Optional.empty();
    }
  }

  private static boolean targets(RouteAction action, String cluster) {
    return switch (action.getClusterSpecifierCase()) {
      case CLUSTER -> action.getCluster().equals(cluster);
      case WEIGHTED_CLUSTERS ->
          action.getWeightedClusters().getClustersList().stream()
              .map(WeightedCluster.ClusterWeight::getName)
              .anyMatch(cluster::equals);
      default -> false;
    };
  }

  private static String match(RouteMatch m) {
    return switch (m.getPathSpecifierCase()) {
      case PREFIX -> "prefix '" + m.getPrefix() + "'";
      case PATH -> "path '" + m.getPath() + "'";
      case SAFE_REGEX -> "regex '" + m.getSafeRegex().getRegex() + "'";
      case PATH_SEPARATED_PREFIX -> "prefix '" + m.getPathSeparatedPrefix() + "'";
      default -> "a route";
    };
  }
}
