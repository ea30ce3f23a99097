package dev.trellis.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.trellis.render.ProxyGroup;
import dev.trellis.render.RenderedGroup;
import dev.trellis.render.RenderedResource;
import dev.trellis.render.ResourceType;
import dev.trellis.stream.NodeGroup;
import dev.trellis.testing.GrpcMesh;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SnapshotPublisherTest {

  private final SimpleCache<String> cache = new SimpleCache<>(new NodeGroup());
  private final SnapshotPublisher publisher = new SnapshotPublisher(cache, new PackedResources());

  @Test
  void sameContentGivesSameVersionsAcrossPublishers() {
    SnapshotPublisher other =
        new SnapshotPublisher(new SimpleCache<>(new NodeGroup()), new PackedResources());

    publisher.publish(List.of(GrpcMesh.group("web", "greeter", 8080)));
    other.publish(List.of(GrpcMesh.group("web", "greeter", 8080)));

    Map<ResourceType, String> versions =
        publisher.group("grpc:web").orElseThrow().snapshot().typeVersions();
    assertThat(other.group("grpc:web").orElseThrow().snapshot().typeVersions()).isEqualTo(versions);
    assertThat(versions.get(ResourceType.LISTENER)).matches("[0-9a-f]{16}");
    // Types without resources share the version of "nothing", which is not any non-empty version.
    assertThat(versions.get(ResourceType.SECRET)).isNotEqualTo(versions.get(ResourceType.CLUSTER));
  }

  @Test
  void versionsIgnoreMapInsertionOrder() {
    Cluster ab = withMetadata("a", "b");
    Cluster ba = withMetadata("b", "a");
    assertThat(ab).isEqualTo(ba);

    assertThat(ContentHash.of(ab)).isEqualTo(ContentHash.of(ba));
  }

  private static Cluster withMetadata(String... keys) {
    Metadata.Builder metadata = Metadata.newBuilder();
    for (String key : keys) {
      metadata.putFilterMetadata(
          key,
          Struct.newBuilder()
              .putFields("k", Value.newBuilder().setStringValue(key).build())
              .build());
    }
    return GrpcMesh.cluster("greeter", Cluster.LbPolicy.ROUND_ROBIN).toBuilder()
        .setMetadata(metadata)
        .build();
  }

  @Test
  void republishingUnchangedContentSetsNoSnapshot() {
    publisher.publish(List.of(GrpcMesh.group("web", "greeter", 8080)));
    Snapshot served = cache.getSnapshot("grpc:web");

    PublishResult result = publisher.publish(List.of(GrpcMesh.group("web", "greeter", 8080)));

    assertThat(result.updated()).isEmpty();
    assertThat(result.unchanged()).isEqualTo(1);
    assertThat(cache.getSnapshot("grpc:web")).isSameAs(served);
  }

  @Test
  void endpointOnlyChangeBumpsOnlyTheEndpointVersion() {
    publisher.publish(List.of(GrpcMesh.group("web", "greeter", 8080)));
    Map<ResourceType, String> before =
        publisher.group("grpc:web").orElseThrow().snapshot().typeVersions();

    PublishResult result = publisher.publish(List.of(GrpcMesh.group("web", "greeter", 9090)));

    assertThat(result.updated())
        .containsExactly(new GroupUpdate("grpc:web", EnumSet.of(ResourceType.ENDPOINT)));
    Map<ResourceType, String> after =
        publisher.group("grpc:web").orElseThrow().snapshot().typeVersions();
    for (ResourceType type : ResourceType.values()) {
      if (type == ResourceType.ENDPOINT) {
        assertThat(after.get(type)).isNotEqualTo(before.get(type));
      } else {
        assertThat(after.get(type)).as(type.name()).isEqualTo(before.get(type));
      }
    }
    assertThat(
            cache
                .getSnapshot("grpc:web")
                .version(io.envoyproxy.controlplane.cache.Resources.ResourceType.ENDPOINT))
        .isEqualTo(after.get(ResourceType.ENDPOINT));
  }

  @Test
  void onlyChangedGroupsGetANewSnapshot() {
    publisher.publish(
        List.of(GrpcMesh.group("web", "greeter", 8080), GrpcMesh.group("api", "greeter", 8080)));
    Snapshot web = cache.getSnapshot("grpc:web");

    PublishResult result =
        publisher.publish(
            List.of(
                GrpcMesh.group("web", "greeter", 8080), GrpcMesh.group("api", "greeter", 9090)));

    assertThat(result.updated()).extracting(GroupUpdate::group).containsExactly("grpc:api");
    assertThat(cache.getSnapshot("grpc:web")).isSameAs(web);
  }

  @Test
  void equalResourcesOfDifferentGroupsShareOneInstance() {
    publisher.publish(
        List.of(GrpcMesh.group("web", "greeter", 8080), GrpcMesh.group("api", "greeter", 8080)));

    var web = cache.getSnapshot("grpc:web").endpoints().resources().get("greeter");
    var api = cache.getSnapshot("grpc:api").endpoints().resources().get("greeter");
    assertThat(web).isSameAs(api);
  }

  @Test
  void eachSharedResourceIsPackedOnce() {
    PackedResources packed = new PackedResources();
    SnapshotPublisher withPacking = new SnapshotPublisher(cache, packed);
    withPacking.publish(
        List.of(GrpcMesh.group("web", "greeter", 8080), GrpcMesh.group("api", "greeter", 8080)));
    withPacking.publish(
        List.of(GrpcMesh.group("web", "greeter", 8080), GrpcMesh.group("api", "greeter", 9090)));
    var v3 = io.envoyproxy.controlplane.cache.Resources.ApiVersion.V3;

    var web = cache.getSnapshot("grpc:web").clusters().resources().get("greeter");
    var api = cache.getSnapshot("grpc:api").clusters().resources().get("greeter");

    assertThat(packed.serialize(web, v3)).isSameAs(packed.serialize(api, v3));
    assertThat(packed.serialize(web, v3).getTypeUrl())
        .isEqualTo("type.googleapis.com/envoy.config.cluster.v3.Cluster");
  }

  @Test
  void removedGroupIsServedAnEmptyConfig() {
    publisher.publish(
        List.of(GrpcMesh.group("web", "greeter", 8080), GrpcMesh.group("api", "greeter", 8080)));

    PublishResult result = publisher.publish(List.of(GrpcMesh.group("web", "greeter", 8080)));

    assertThat(result.emptied()).containsExactly("grpc:api");
    assertThat(publisher.group("grpc:api")).isEmpty();
    assertThat(cache.getSnapshot("grpc:api").listeners().resources()).isEmpty();
  }

  @Test
  void unknownGroupWaitsForTheFirstPublishThenGetsAnEmptyConfig() {
    assertThat(publisher.admit("nosuch")).isFalse();
    assertThat(cache.getSnapshot("nosuch")).isNull();
    assertThat(publisher.firstPublishedAt()).isEmpty();

    publisher.publish(List.of(GrpcMesh.group("web", "greeter", 8080)));

    assertThat(publisher.firstPublishedAt()).isPresent();
    assertThat(publisher.admit("nosuch")).isFalse();
    assertThat(cache.getSnapshot("nosuch").clusters().resources()).isEmpty();
    assertThat(publisher.admit("grpc:web")).isTrue();
  }

  @Test
  void resourceNamedDifferentlyFromItsProtoIsRejectedAndNothingChanges() {
    RenderedGroup good = GrpcMesh.group("web", "greeter", 8080);
    publisher.publish(List.of(good));
    Snapshot served = cache.getSnapshot("grpc:web");
    List<RenderedResource> resources = new ArrayList<>(good.resources());
    resources.add(
        GrpcMesh.resource(
            ResourceType.CLUSTER,
            "other",
            GrpcMesh.cluster("greeter2", Cluster.LbPolicy.ROUND_ROBIN)));
    RenderedGroup bad = new RenderedGroup(ProxyGroup.grpc("api"), resources);

    assertThatThrownBy(
            () -> publisher.publish(List.of(GrpcMesh.group("web", "greeter", 9090), bad)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Group 'grpc:api': cluster 'other' is named 'greeter2' in its proto; clients ask for"
                + " resources by the proto's name");
    assertThat(cache.getSnapshot("grpc:web")).isSameAs(served);
  }

  @Test
  void duplicateNamesAreRejected() {
    RenderedGroup good = GrpcMesh.group("web", "greeter", 8080);
    List<RenderedResource> resources = new ArrayList<>(good.resources());
    resources.add(
        GrpcMesh.resource(ResourceType.ENDPOINT, "greeter", GrpcMesh.endpoints("greeter", 1)));

    assertThatThrownBy(() -> publisher.publish(List.of(new RenderedGroup(good.group(), resources))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Group 'grpc:web' has two endpoints named 'greeter' (from ");
  }
}
