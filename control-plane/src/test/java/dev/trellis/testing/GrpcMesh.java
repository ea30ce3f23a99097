package dev.trellis.testing;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.protobuf.UInt32Value;
import dev.trellis.model.SourceLocation;
import dev.trellis.render.Origin;
import dev.trellis.render.ProxyGroup;
import dev.trellis.render.RenderedGroup;
import dev.trellis.render.RenderedResource;
import dev.trellis.render.ResourceType;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.ApiListener;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import java.util.ArrayList;
import java.util.List;

/**
 * Hand-built rendered groups for proxyless gRPC, following the naming convention the renderer uses:
 * for caller {@code c} depending on {@code d}, group {@code grpc:c} holds Listener, Route, Cluster
 * and ClusterLoadAssignment all named {@code d}.
 */
public final class GrpcMesh {

  private static final ConfigSource ADS =
      ConfigSource.newBuilder().setAds(AggregatedConfigSource.getDefaultInstance()).build();

  private GrpcMesh() {}

  /** The group of gRPC clients of {@code caller} calling {@code dependency} at these ports. */
  public static RenderedGroup group(String caller, String dependency, int... ports) {
    return group(caller, dependency, Cluster.LbPolicy.ROUND_ROBIN, ports);
  }

  public static RenderedGroup group(
      String caller, String dependency, Cluster.LbPolicy lbPolicy, int... ports) {
    List<RenderedResource> resources = new ArrayList<>();
    resources.add(resource(ResourceType.LISTENER, dependency, listener(dependency)));
    resources.add(resource(ResourceType.ROUTE, dependency, route(dependency)));
    resources.add(resource(ResourceType.CLUSTER, dependency, cluster(dependency, lbPolicy)));
    resources.add(resource(ResourceType.ENDPOINT, dependency, endpoints(dependency, ports)));
    return new RenderedGroup(ProxyGroup.grpc(caller), resources);
  }

  /** The same group with one more dependency's resources. */
  public static RenderedGroup withDependency(RenderedGroup group, String dependency, int... ports) {
    List<RenderedResource> resources = new ArrayList<>(group.resources());
    resources.addAll(group("x", dependency, ports).resources());
    return new RenderedGroup(group.group(), resources);
  }

  public static RenderedResource resource(
      ResourceType type, String name, com.google.protobuf.Message proto) {
    return new RenderedResource(
        type, name, proto, new Origin("test/grpc.yaml.j2", 1, SourceLocation.ofFile("test.yaml")));
  }

  public static Listener listener(String name) {
    HttpConnectionManager hcm =
        HttpConnectionManager.newBuilder()
            .setRds(Rds.newBuilder().setRouteConfigName(name).setConfigSource(ADS))
            .addHttpFilters(
                HttpFilter.newBuilder()
                    .setName("envoy.filters.http.router")
                    .setTypedConfig(Any.pack(Router.getDefaultInstance())))
            .build();
    return Listener.newBuilder()
        .setName(name)
        .setApiListener(ApiListener.newBuilder().setApiListener(Any.pack(hcm)))
        .build();
  }

  public static RouteConfiguration route(String name) {
    return RouteConfiguration.newBuilder()
        .setName(name)
        .addVirtualHosts(
            VirtualHost.newBuilder()
                .setName(name)
                .addDomains(name)
                .addRoutes(
                    Route.newBuilder()
                        .setMatch(RouteMatch.newBuilder().setPrefix(""))
                        .setRoute(
                            RouteAction.newBuilder()
                                .setCluster(name)
                                .setTimeout(Duration.newBuilder().setSeconds(5)))))
        .build();
  }

  public static Cluster cluster(String name, Cluster.LbPolicy lbPolicy) {
    return Cluster.newBuilder()
        .setName(name)
        .setType(Cluster.DiscoveryType.EDS)
        .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(ADS))
        .setLbPolicy(lbPolicy)
        .build();
  }

  public static ClusterLoadAssignment endpoints(String name, int... ports) {
    LocalityLbEndpoints.Builder locality =
        LocalityLbEndpoints.newBuilder().setLoadBalancingWeight(UInt32Value.of(1));
    for (int port : ports) {
      locality.addLbEndpoints(
          LbEndpoint.newBuilder()
              .setHealthStatus(HealthStatus.HEALTHY)
              .setEndpoint(
                  Endpoint.newBuilder()
                      .setAddress(
                          Address.newBuilder()
                              .setSocketAddress(
                                  SocketAddress.newBuilder()
                                      .setAddress("127.0.0.1")
                                      .setPortValue(port)))));
    }
    return ClusterLoadAssignment.newBuilder().setClusterName(name).addEndpoints(locality).build();
  }
}
