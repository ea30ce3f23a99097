package dev.trellis.stream;

import io.envoyproxy.controlplane.cache.Resources.ResourceType;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What each node last rejected, per type, kept across its reconnects so a NACKed version is not
 * sent again on a new stream to a node that still holds its last good config. Bounded: the least
 * recently used nodes are forgotten beyond the capacity.
 */
final class RejectionMemory {

  /** A rejected response: its version and (delta) the versions of the resources it carried. */
  record Rejection(String version, Map<String, String> resources) {}

  private final Map<String, EnumMap<ResourceType, Rejection>> byNode;

  RejectionMemory(int capacity) {
    this.byNode =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(
              Map.Entry<String, EnumMap<ResourceType, Rejection>> eldest) {
            return size() > capacity;
          }
        };
  }

  synchronized void remember(String node, ResourceType type, Rejection rejection) {
    byNode.computeIfAbsent(node, n -> new EnumMap<>(ResourceType.class)).put(type, rejection);
  }

  synchronized void forget(String node, ResourceType type) {
    EnumMap<ResourceType, Rejection> types = byNode.get(node);
    if (types != null && types.remove(type) != null && types.isEmpty()) {
      byNode.remove(node);
    }
  }

  /** The node's last rejection of this type, or null. */
  synchronized Rejection recall(String node, ResourceType type) {
    EnumMap<ResourceType, Rejection> types = byNode.get(node);
    return types == null ? null : types.get(type);
  }

  synchronized int size() {
    return byNode.size();
  }
}
