package dev.trellis.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Node;
import org.junit.jupiter.api.Test;

class NodeGroupTest {

  private static Node node(String cluster, String userAgent) {
    return Node.newBuilder().setId("n").setCluster(cluster).setUserAgentName(userAgent).build();
  }

  @Test
  void envoySidecarsAndEdgeProxiesBelongToTheirCluster() {
    assertThat(NodeGroup.groupOf(node("payments", "envoy"))).isEqualTo("payments");
    assertThat(NodeGroup.groupOf(node("public", ""))).isEqualTo("public");
  }

  @Test
  void proxylessGrpcClientsBelongToTheGrpcGroupOfTheirService() {
    assertThat(NodeGroup.groupOf(node("web", "gRPC Java"))).isEqualTo("grpc:web");
    assertThat(NodeGroup.groupOf(node("web", "gRPC Go"))).isEqualTo("grpc:web");
    // A bootstrap that already names the group is taken as it is.
    assertThat(NodeGroup.groupOf(node("grpc:web", "gRPC Java"))).isEqualTo("grpc:web");
  }

  @Test
  void metadataRoleMarksAGrpcAppWhateverItsUserAgent() {
    Node node =
        node("web", "custom").toBuilder()
            .setMetadata(
                Struct.newBuilder()
                    .putFields(
                        NodeGroup.ROLE_KEY, Value.newBuilder().setStringValue("grpc").build()))
            .build();
    assertThat(NodeGroup.groupOf(node)).isEqualTo("grpc:web");
    assertThat(new NodeGroup().hash(node)).isEqualTo("grpc:web");
  }
}
