package dev.trellis.publish;

import com.google.protobuf.Message;
import dev.trellis.render.RenderedGroup;
import dev.trellis.render.RenderedMesh;
import dev.trellis.render.ResourceType;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.cache.SnapshotCache;
import io.envoyproxy.controlplane.cache.VersionedResource;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns rendered groups into the snapshots the xDS server serves, one per group id. A group whose
 * content is unchanged keeps its snapshot (nothing is pushed); a changed group gets a new snapshot
 * in which only the changed types have new versions, so an endpoint-only change sends only EDS.
 */
public final class SnapshotPublisher {

  private static final Logger LOG = LoggerFactory.getLogger(SnapshotPublisher.class);

  private static final GroupSnapshot NOTHING = GroupSnapshot.empty("");

  private final SnapshotCache<String, Snapshot> cache;
  private final PackedResources packed;
  private final Clock clock;

  /** Replaced whole on each publish; readers never lock. */
  private volatile SortedMap<String, PublishedGroup> groups = Collections.emptySortedMap();

  private volatile Instant firstPublishedAt;

  public SnapshotPublisher(SnapshotCache<String, Snapshot> cache, PackedResources packed) {
    this(cache, packed, Clock.systemUTC());
  }

  SnapshotPublisher(SnapshotCache<String, Snapshot> cache, PackedResources packed, Clock clock) {
    this.cache = cache;
    this.packed = packed;
    this.clock = clock;
  }

  /** Publishes every group of a rendered mesh; see {@link #publish(Collection)}. */
  public PublishResult publish(RenderedMesh mesh) {
    return publish(mesh.groups().values());
  }

  /**
   * Publishes the complete set of groups: groups published before but absent now are served an
   * empty config. All snapshots are built before any is set, so an invalid group changes nothing.
   *
   * @throws IllegalArgumentException if a group's resources are inconsistent (see {@link
   *     GroupSnapshot})
   */
  public synchronized PublishResult publish(Collection<RenderedGroup> rendered) {
    Instant now = clock.instant();
    SortedMap<String, PublishedGroup> previous = groups;
    ResourceInterner interner = null;
    SortedMap<String, PublishedGroup> next = new TreeMap<>();
    Map<String, GroupSnapshot> built = new HashMap<>();
    Set<String> ids = new HashSet<>();
    for (RenderedGroup group : rendered) {
      String id = group.group().id();
      if (!ids.add(id)) {
        throw new IllegalArgumentException("Group '" + id + "' is rendered twice");
      }
      PublishedGroup before = previous.get(id);
      if (before != null && before.rendered() == group) {
        continue; // the very config served now: its snapshot stands, no need to hash it again
      }
      if (interner == null) {
        interner = new ResourceInterner(previous.values());
      }
      built.put(id, GroupSnapshot.of(group, interner::intern));
    }

    List<GroupUpdate> updated = new ArrayList<>();
    int unchanged = 0;
    for (RenderedGroup group : rendered) {
      String id = group.group().id();
      GroupSnapshot snapshot = built.get(id);
      PublishedGroup before = previous.get(id);
      if (snapshot == null) {
        next.put(id, before);
        unchanged++;
        continue;
      }
      if (before != null && before.snapshot().sameContent(snapshot)) {
        // Keep the served snapshot: the same instances stay packed and nothing is pushed.
        next.put(id, new PublishedGroup(group, before.snapshot(), before.publishedAt()));
        unchanged++;
        continue;
      }
      Set<ResourceType> changed = changedTypes(cache, before, snapshot);
      packed.packAll(snapshot);
      cache.setSnapshot(id, snapshot);
      next.put(id, new PublishedGroup(group, snapshot, now));
      updated.add(new GroupUpdate(id, changed));
    }

    List<String> emptied = new ArrayList<>();
    for (String id : previous.keySet()) {
      if (!next.containsKey(id)) {
        // Connected proxies of a removed group lose their config rather than keep a stale one.
        cache.setSnapshot(id, GroupSnapshot.empty(id));
        emptied.add(id);
      }
    }
    groups = Collections.unmodifiableSortedMap(next);
    if (firstPublishedAt == null) {
      firstPublishedAt = now;
      // Nodes of unknown groups that connected before the first publish wait for an answer.
      for (String id : cache.groups()) {
        admitUnknown(id);
      }
    }
    PublishResult result = new PublishResult(updated, emptied, unchanged);
    LOG.info("Published {}", result);
    return result;
  }

  private static Set<ResourceType> changedTypes(
      SnapshotCache<String, Snapshot> cache, PublishedGroup before, GroupSnapshot after) {
    Snapshot served = before != null ? before.snapshot() : cache.getSnapshot(after.groupId());
    GroupSnapshot old = served instanceof GroupSnapshot g ? g : NOTHING;
    EnumSet<ResourceType> changed = EnumSet.noneOf(ResourceType.class);
    for (ResourceType type : ResourceType.values()) {
      if (!old.typeVersion(type).equals(after.typeVersion(type))) {
        changed.add(type);
      }
    }
    return changed;
  }

  /**
   * Makes sure a node of this group gets an answer and says whether the group is known. A group no
   * publish rendered is served an empty config (once the first publish happened; until then every
   * node waits for it).
   */
  public boolean admit(String groupId) {
    if (groups.containsKey(groupId)) {
      return true;
    }
    synchronized (this) {
      admitUnknown(groupId);
      return groups.containsKey(groupId);
    }
  }

  private void admitUnknown(String groupId) {
    if (firstPublishedAt != null
        && !groups.containsKey(groupId)
        && cache.getSnapshot(groupId) == null) {
      cache.setSnapshot(groupId, GroupSnapshot.empty(groupId));
    }
  }

  /** The published group with this id, if any. */
  public Optional<PublishedGroup> group(String id) {
    return Optional.ofNullable(groups.get(id));
  }

  /** Every published group, by id. */
  public SortedMap<String, PublishedGroup> groups() {
    return groups;
  }

  /** When the first publish happened, if it did: the server is ready from then on. */
  public Optional<Instant> firstPublishedAt() {
    return Optional.ofNullable(firstPublishedAt);
  }

  /** The cache the xDS server watches. */
  public SnapshotCache<String, Snapshot> cache() {
    return cache;
  }

  /** The serializer that packs each published resource once. */
  public PackedResources packedResources() {
    return packed;
  }

  /** One resource instance per content, shared by every group and by consecutive publishes. */
  private static final class ResourceInterner {
    private final Map<String, Message> byKey = new HashMap<>();

    ResourceInterner(Collection<PublishedGroup> served) {
      for (PublishedGroup g : served) {
        Snapshot snapshot = g.snapshot();
        for (var type : Resources.RESOURCE_TYPES_IN_ORDER) {
          for (VersionedResource<?> r : snapshot.versionedResources(type).values()) {
            byKey.putIfAbsent(key(r.resource(), r.version()), r.resource());
          }
        }
      }
    }

    Message intern(String version, Message resource) {
      return byKey.computeIfAbsent(key(resource, version), k -> resource);
    }

    private static String key(Message resource, String version) {
      return resource.getDescriptorForType().getFullName() + '/' + version;
    }
  }
}
