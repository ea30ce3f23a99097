package dev.trellis.analyze.envoy;

import dev.trellis.analyze.GroupCheck;
import dev.trellis.analyze.GroupContext;
import dev.trellis.analyze.Level;
import dev.trellis.analyze.Rule;
import dev.trellis.analyze.envoy.EnvoyIndex.RouteTable;
import dev.trellis.analyze.envoy.EnvoyIndex.TcpProxySite;
import dev.trellis.render.RenderedResource;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import java.util.List;
import java.util.function.Supplier;

/** Routes and TCP proxies that send traffic to a cluster the group does not define (TRL203). */
public final class RouteClusterCheck implements GroupCheck {

  public static final Rule RULE =
      new Rule(
          "TRL203",
          "route-to-unknown-cluster",
          Level.ERROR,
          "A route or TCP proxy sends traffic to a cluster the group does not define.",
          "Envoy answers requests on such a route with 503 (no cluster), and proxyless gRPC fails"
              + " the call. The cluster name usually comes from a dependency that has no"
              + " matching service, or from a template that names clusters differently from the"
              + " cluster template.");

  @Override
  public List<Rule> rules() {
    return List.of(RULE);
  }

  @Override
  public void check(GroupContext context) {
    EnvoyIndex index = EnvoyIndex.of(context);
    for (RouteTable table : index.routeTables) {
      for (int v = 0; v < table.config().getVirtualHostsCount(); v++) {
        VirtualHost vh = table.config().getVirtualHosts(v);
        for (int i = 0; i < vh.getRoutesCount(); i++) {
          Route route = vh.getRoutes(i);
          if (!route.hasRoute()) {
            continue;
          }
          int vhIndex = v;
          int routeIndex = i;
          Supplier<String> where =
              () ->
                  "route "
                      + (route.getName().isEmpty() ? "" : "'" + route.getName() + "' at ")
                      + table.at("virtual_hosts[" + vhIndex + "].routes[" + routeIndex + "]")
                      + " (virtual host '"
                      + vh.getName()
                      + "')";
          action(context, index, table.owner(), where, route.getRoute());
        }
      }
    }
    for (TcpProxySite site : index.tcpProxies) {
      TcpProxy p = site.proxy();
      Supplier<String> where = () -> "TCP proxy at " + site.path();
      if (p.getClusterSpecifierCase() == TcpProxy.ClusterSpecifierCase.CLUSTER) {
        require(context, index, site.listener(), where, p.getCluster());
      }
      for (TcpProxy.WeightedCluster.ClusterWeight w : p.getWeightedClusters().getClustersList()) {
        require(context, index, site.listener(), where, w.getName());
      }
    }
  }

  private static void action(
      GroupContext context,
      EnvoyIndex index,
      RenderedResource owner,
      Supplier<String> where,
      RouteAction a) {
    if (a.getClusterSpecifierCase() == RouteAction.ClusterSpecifierCase.CLUSTER) {
      require(context, index, owner, where, a.getCluster());
    }
    for (WeightedCluster.ClusterWeight w : a.getWeightedClusters().getClustersList()) {
      require(context, index, owner, where, w.getName());
    }
    for (RouteAction.RequestMirrorPolicy m : a.getRequestMirrorPoliciesList()) {
      require(context, index, owner, () -> where.get() + " mirror", m.getCluster());
    }
  }

  private static void require(
      GroupContext context,
      EnvoyIndex index,
      RenderedResource owner,
      Supplier<String> where,
      String cluster) {
    if (!cluster.isEmpty() && !index.clusters.containsKey(cluster)) {
      context.report(
          RULE,
          owner,
          where.get()
              + " sends traffic to cluster '"
              + cluster
              + "', which the group does not define");
    }
  }
}
