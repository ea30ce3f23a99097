package dev.trellis.stream;

import io.envoyproxy.controlplane.cache.Resources.ResourceType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What each node last rejected, per type, kept across its reconnects so a NACKed version is not
 * sent again on a new stream to a node that still holds its last good config.
 *
 * <p>Bounded twice, since node ids come from clients: at most {@code capacity} nodes and about
 * {@code maxBytes} in all, the least recently used nodes forgotten first. A node id longer than
 * {@value #MAX_KEY_CHARS} characters is kept as its start and a SHA-256 of the whole id, so a
 * multi-megabyte id costs a few hundred bytes; a rejection larger than an eighth of the bound is
 * not remembered (that node may be sent the rejected version again once, after a reconnect).
 */
final class RejectionMemory {

  /** A rejected response: its version and (delta) the versions of the resources it carried. */
  record Rejection(String version, Map<String, String> resources) {}

  /** Node ids up to this length are kept as they are. */
  static final int MAX_KEY_CHARS = 256;

  // Rough JVM costs of a map entry and its objects beyond the characters, so that many tiny
  // entries count too; characters are counted at two bytes (the UTF-16 worst case).
  private static final int NODE_OVERHEAD = 160;
  private static final int REJECTION_OVERHEAD = 96;
  private static final int RESOURCE_OVERHEAD = 64;

  private static final class Node {
    final EnumMap<ResourceType, Rejection> types = new EnumMap<>(ResourceType.class);
    long bytes;
  }

  private final int capacity;
  private final long maxBytes;
  private final long maxRejectionBytes;
  private final LinkedHashMap<String, Node> byNode = new LinkedHashMap<>(16, 0.75f, true);
  private long bytes;

  RejectionMemory(int capacity, long maxBytes) {
    if (capacity < 1 || maxBytes < 1) {
      throw new IllegalArgumentException(
          "rejection memory bounds must be positive: " + capacity + " nodes, " + maxBytes + " B");
    }
    this.capacity = capacity;
    this.maxBytes = maxBytes;
    this.maxRejectionBytes = maxBytes / 8;
  }

  synchronized void remember(String node, ResourceType type, Rejection rejection) {
    String key = key(node);
    long size = size(rejection);
    if (size > maxRejectionBytes) {
      forgetKey(key, type);
      return;
    }
    Node entry = byNode.get(key);
    if (entry == null) {
      entry = new Node();
      entry.bytes = NODE_OVERHEAD + 2L * key.length();
      bytes += entry.bytes;
      byNode.put(key, entry);
    }
    Rejection old = entry.types.put(type, rejection);
    long delta = size - (old == null ? 0 : size(old));
    entry.bytes += delta;
    bytes += delta;
    evict(key);
  }

  synchronized void forget(String node, ResourceType type) {
    forgetKey(key(node), type);
  }

  private void forgetKey(String key, ResourceType type) {
    Node entry = byNode.get(key);
    if (entry == null) {
      return;
    }
    Rejection old = entry.types.remove(type);
    if (old != null) {
      entry.bytes -= size(old);
      bytes -= size(old);
    }
    if (entry.types.isEmpty()) {
      byNode.remove(key);
      bytes -= entry.bytes;
    }
  }

  /** The node's last rejection of this type, or null. */
  synchronized Rejection recall(String node, ResourceType type) {
    Node entry = byNode.get(key(node));
    return entry == null ? null : entry.types.get(type);
  }

  synchronized int size() {
    return byNode.size();
  }

  /** The estimated bytes held, within the bound given. */
  synchronized long bytes() {
    return bytes;
  }

  /** Forgets the least recently used nodes but {@code keep} while over either bound. */
  private void evict(String keep) {
    Iterator<Map.Entry<String, Node>> eldest = byNode.entrySet().iterator();
    while ((byNode.size() > capacity || bytes > maxBytes) && eldest.hasNext()) {
      Map.Entry<String, Node> e = eldest.next();
      if (!e.getKey().equals(keep)) {
        bytes -= e.getValue().bytes;
        eldest.remove();
      }
    }
  }

  private static long size(Rejection r) {
    long size = REJECTION_OVERHEAD + 2L * r.version().length();
    for (Map.Entry<String, String> e : r.resources().entrySet()) {
      size += RESOURCE_OVERHEAD + 2L * (e.getKey().length() + e.getValue().length());
    }
    return size;
  }

  /**
   * The id itself, or for a long one its start and a digest of all of it: longer than {@value
   * #MAX_KEY_CHARS}, so no id kept as it is can equal it.
   */
  static String key(String node) {
    if (node.length() <= MAX_KEY_CHARS) {
      return node;
    }
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(node.getBytes(StandardCharsets.UTF_8));
      return node.substring(0, 200) + "...sha256:" + HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
