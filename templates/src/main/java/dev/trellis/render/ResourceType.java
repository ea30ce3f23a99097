package dev.trellis.render;

import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;

/** The xDS resource types Trellis renders, in the order a proxy should receive them. */
public enum ResourceType {
  CLUSTER(Cluster.class, "clusters"),
  ENDPOINT(ClusterLoadAssignment.class, "endpoints"),
  LISTENER(Listener.class, "listeners"),
  ROUTE(RouteConfiguration.class, "routes"),
  SECRET(Secret.class, "secrets");

  private final Class<? extends Message> protoClass;
  private final String plural;

  ResourceType(Class<? extends Message> protoClass, String plural) {
    this.protoClass = protoClass;
    this.plural = plural;
  }

  public Class<? extends Message> protoClass() {
    return protoClass;
  }

  /**
   * The key under which a rendered template lists resources of this type, e.g. {@code clusters}.
   */
  public String plural() {
    return plural;
  }

  public String typeUrl() {
    return "type.googleapis.com/" + descriptorFullName();
  }

  private String descriptorFullName() {
    return switch (this) {
      case CLUSTER -> Cluster.getDescriptor().getFullName();
      case ENDPOINT -> ClusterLoadAssignment.getDescriptor().getFullName();
      case LISTENER -> Listener.getDescriptor().getFullName();
      case ROUTE -> RouteConfiguration.getDescriptor().getFullName();
      case SECRET -> Secret.getDescriptor().getFullName();
    };
  }
}
