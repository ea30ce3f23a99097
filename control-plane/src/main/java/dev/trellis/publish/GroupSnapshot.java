package dev.trellis.publish;

import com.google.protobuf.Message;
import dev.trellis.render.RenderedGroup;
import dev.trellis.render.RenderedResource;
import dev.trellis.render.ResourceType;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.cache.SnapshotResources;
import io.envoyproxy.controlplane.cache.VersionedResource;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;

/**
 * One group's immutable xDS snapshot, shared by every proxy of the group. Each resource is
 * versioned by a hash of its content and each type by a hash of its resources' versions, so an
 * unchanged type keeps its version (nothing is pushed) and delta clients can resume from the
 * versions they hold.
 */
public final class GroupSnapshot extends Snapshot {

  private final String groupId;
  private final SnapshotResources<Cluster> clusters;
  private final SnapshotResources<ClusterLoadAssignment> endpoints;
  private final SnapshotResources<Listener> listeners;
  private final SnapshotResources<RouteConfiguration> routes;
  private final SnapshotResources<Secret> secrets;
  private final Map<ResourceType, String> versions;

  private GroupSnapshot(
      String groupId, Map<ResourceType, List<VersionedResource<Message>>> byType) {
    this.groupId = groupId;
    EnumMap<ResourceType, String> typeVersions = new EnumMap<>(ResourceType.class);
    for (ResourceType type : ResourceType.values()) {
      Map<String, String> resourceVersions = new TreeMap<>();
      for (VersionedResource<Message> r : byType.getOrDefault(type, List.of())) {
        resourceVersions.put(Resources.getResourceName(r.resource()), r.version());
      }
      typeVersions.put(type, ContentHash.ofVersions(resourceVersions));
    }
    this.versions = Collections.unmodifiableMap(typeVersions);
    this.clusters = resources(byType, ResourceType.CLUSTER, typeVersions);
    this.endpoints = resources(byType, ResourceType.ENDPOINT, typeVersions);
    this.listeners = resources(byType, ResourceType.LISTENER, typeVersions);
    this.routes = resources(byType, ResourceType.ROUTE, typeVersions);
    this.secrets = resources(byType, ResourceType.SECRET, typeVersions);
  }

  /** A snapshot with no resources: what a node of an unknown or removed group is served. */
  public static GroupSnapshot empty(String groupId) {
    return new GroupSnapshot(groupId, Map.of());
  }

  /**
   * The snapshot of a rendered group. {@code intern} maps a (version, resource) to the instance to
   * keep, so equal resources across groups and publishes share one instance (and one packed form).
   *
   * @throws IllegalArgumentException if a resource's name or type disagrees with its proto, or two
   *     resources of one type share a name
   */
  static GroupSnapshot of(RenderedGroup group, BiFunction<String, Message, Message> intern) {
    String id = group.group().id();
    Map<ResourceType, List<VersionedResource<Message>>> byType = new EnumMap<>(ResourceType.class);
    Map<ResourceType, Map<String, RenderedResource>> seen = new EnumMap<>(ResourceType.class);
    for (RenderedResource r : group.resources()) {
      if (!r.type().protoClass().isInstance(r.proto())) {
        throw new IllegalArgumentException(
            String.format(
                "Group '%s': %s '%s' holds a %s, expected %s",
                id,
                singular(r.type()),
                r.name(),
                r.proto().getDescriptorForType().getFullName(),
                r.type().protoClass().getSimpleName()));
      }
      String protoName = Resources.getResourceName(r.proto());
      if (!protoName.equals(r.name())) {
        throw new IllegalArgumentException(
            String.format(
                "Group '%s': %s '%s' is named '%s' in its proto; clients ask for resources by the"
                    + " proto's name",
                id, singular(r.type()), r.name(), protoName));
      }
      RenderedResource previous =
          seen.computeIfAbsent(r.type(), t -> new LinkedHashMap<>()).putIfAbsent(r.name(), r);
      if (previous != null) {
        throw new IllegalArgumentException(
            String.format(
                "Group '%s' has two %s named '%s' (from %s and %s)",
                id, r.type().plural(), r.name(), previous.origin(), r.origin()));
      }
      String version = ContentHash.of(r.proto());
      Message shared = intern.apply(version, r.proto());
      byType
          .computeIfAbsent(r.type(), t -> new ArrayList<>())
          .add(VersionedResource.create(shared, version));
    }
    return new GroupSnapshot(id, byType);
  }

  private static String singular(ResourceType type) {
    return switch (type) {
      case CLUSTER -> "cluster";
      case ENDPOINT -> "load assignment";
      case LISTENER -> "listener";
      case ROUTE -> "route configuration";
      case SECRET -> "secret";
    };
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static <T extends Message> SnapshotResources<T> resources(
      Map<ResourceType, List<VersionedResource<Message>>> byType,
      ResourceType type,
      Map<ResourceType, String> versions) {
    List<VersionedResource<T>> list = (List) byType.getOrDefault(type, List.of());
    String version = versions.get(type);
    // One version per type whatever names are asked for: SotW responses carry the type's version.
    return SnapshotResources.create(list, names -> version);
  }

  public String groupId() {
    return groupId;
  }

  /** The version of one type's resources: equal content gives an equal version. */
  public String typeVersion(ResourceType type) {
    return versions.get(type);
  }

  /** The version (content hash) of one resource, or null if the snapshot lacks it. */
  public String resourceVersion(ResourceType type, String name) {
    VersionedResource<?> r =
        ((Snapshot) this)
            .versionedResources(
                io.envoyproxy.controlplane.cache.Resources.ResourceType.valueOf(type.name()))
            .get(name);
    return r == null ? null : r.version();
  }

  /** Every type's version. */
  public Map<ResourceType, String> typeVersions() {
    return versions;
  }

  /** Whether both snapshots hold the same resources (same version of every type). */
  public boolean sameContent(GroupSnapshot other) {
    return versions.equals(other.versions);
  }

  /**
   * Both java-control-plane snapshot classes declare this method with different generic types; a
   * raw override is the only one that satisfies both.
   */
  @Override
  @SuppressWarnings({"rawtypes", "unchecked"})
  public Map versionedResources(io.envoyproxy.controlplane.cache.Resources.ResourceType type) {
    return super.versionedResources(type);
  }

  @Override
  public SnapshotResources<Cluster> clusters() {
    return clusters;
  }

  @Override
  public SnapshotResources<ClusterLoadAssignment> endpoints() {
    return endpoints;
  }

  @Override
  public SnapshotResources<Listener> listeners() {
    return listeners;
  }

  @Override
  public SnapshotResources<RouteConfiguration> routes() {
    return routes;
  }

  @Override
  public SnapshotResources<Secret> secrets() {
    return secrets;
  }

  @Override
  public String toString() {
    return "GroupSnapshot[" + groupId + " " + versions + "]";
  }
}
