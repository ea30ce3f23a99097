package dev.trellis.analyze.envoy;

import dev.trellis.analyze.GroupCheck;
import dev.trellis.analyze.GroupContext;
import dev.trellis.analyze.Level;
import dev.trellis.analyze.Rule;
import dev.trellis.render.RenderedResource;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import java.util.List;

/**
 * EDS clusters the group serves no ClusterLoadAssignment for (TRL205), and assignments without a
 * single endpoint (TRL206).
 */
public final class EdsEndpointsCheck implements GroupCheck {

  public static final Rule MISSING =
      new Rule(
          "TRL205",
          "eds-cluster-without-assignment",
          Level.ERROR,
          "An EDS cluster has no ClusterLoadAssignment in its group.",
          "Over ADS a proxy asks for the endpoints of every EDS cluster by the cluster's EDS"
              + " service name. Without a ClusterLoadAssignment of that name the cluster stays"
              + " warming: Envoy holds back the cluster update and proxyless gRPC waits out its"
              + " resource timeout.");

  public static final Rule EMPTY =
      new Rule(
          "TRL206",
          "eds-assignment-without-endpoints",
          Level.WARNING,
          "A ClusterLoadAssignment has no endpoints.",
          "Calls to the cluster fail with 503 (no healthy upstream) until endpoints appear. This"
              + " is expected briefly while a Kubernetes service scales up from zero, and a"
              + " mistake when a static endpoint list is empty.");

  @Override
  public List<Rule> rules() {
    return List.of(MISSING, EMPTY);
  }

  @Override
  public void check(GroupContext context) {
    EnvoyIndex index = EnvoyIndex.of(context);
    for (RenderedResource r : index.clusters.values()) {
      Cluster c = (Cluster) r.proto();
      if (c.getClusterDiscoveryTypeCase() != Cluster.ClusterDiscoveryTypeCase.TYPE
          || c.getType() != Cluster.DiscoveryType.EDS) {
        continue;
      }
      Cluster.EdsClusterConfig eds = c.getEdsClusterConfig();
      if (!EnvoyIndex.viaAds(eds.hasEdsConfig(), eds.getEdsConfig())) {
        continue;
      }
      String service = eds.getServiceName().isEmpty() ? c.getName() : eds.getServiceName();
      RenderedResource assignment = index.assignments.get(service);
      if (assignment == null) {
        context.report(
            MISSING, r, "EDS cluster has no ClusterLoadAssignment '" + service + "' in the group");
        continue;
      }
      ClusterLoadAssignment cla = (ClusterLoadAssignment) assignment.proto();
      int endpoints = 0;
      for (LocalityLbEndpoints l : cla.getEndpointsList()) {
        endpoints += l.getLbEndpointsCount();
      }
      if (endpoints == 0) {
        context.report(
            EMPTY,
            assignment,
            "has no endpoints; calls through cluster '" + c.getName() + "' will fail");
      }
    }
  }
}
