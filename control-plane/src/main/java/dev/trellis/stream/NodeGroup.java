package dev.trellis.stream;

import com.google.protobuf.Value;
import dev.trellis.render.ProxyGroup;
import io.envoyproxy.envoy.config.core.v3.Node;

/**
 * Places a node in its proxy group: {@code node.cluster} names a service (sidecars) or a gateway
 * (edge proxies); a proxyless gRPC application (user agent "gRPC ...", or metadata {@code
 * trellis.role: grpc}) acting as service {@code s} belongs to {@code grpc:s}.
 */
public final class NodeGroup implements io.envoyproxy.controlplane.cache.NodeGroup<String> {

  /** Node metadata key that marks a proxyless gRPC application whatever its user agent. */
  public static final String ROLE_KEY = "trellis.role";

  @Override
  public String hash(Node node) {
    return groupOf(node);
  }

  /** The id of the group the node belongs to (it may name no published group). */
  public static String groupOf(Node node) {
    String cluster = node.getCluster();
    if (isProxylessGrpc(node) && !cluster.startsWith(ProxyGroup.GRPC_PREFIX)) {
      return ProxyGroup.GRPC_PREFIX + cluster;
    }
    return cluster;
  }

  static boolean isProxylessGrpc(Node node) {
    if (node.getUserAgentName().contains("gRPC")) {
      return true;
    }
    Value role = node.getMetadata().getFieldsMap().get(ROLE_KEY);
    return role != null && "grpc".equals(role.getStringValue());
  }
}
