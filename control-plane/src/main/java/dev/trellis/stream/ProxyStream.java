package dev.trellis.stream;

import io.envoyproxy.controlplane.cache.Resources.ResourceType;
import io.envoyproxy.envoy.config.core.v3.Node;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;

/**
 * One xDS stream: the node placed on it (at its first request), who it authenticated as, and
 * per-type bookkeeping. The placed node and group hold for the whole stream.
 */
final class ProxyStream {

  final long id;
  final String defaultTypeUrl;
  final Instant openedAt;
  private final EnumMap<ResourceType, TypeState> types = new EnumMap<>(ResourceType.class);

  private volatile Node node;
  private volatile String group;
  private volatile boolean delta;
  private volatile ProxyIdentity identity;
  private volatile boolean keys;

  ProxyStream(long id, String defaultTypeUrl, Instant openedAt) {
    this.id = id;
    this.defaultTypeUrl = defaultTypeUrl;
    this.openedAt = openedAt;
  }

  /**
   * Places the node; true the first time (a stream carries one node).
   *
   * @param identity who the stream authenticated as; null if it did not
   * @param keys whether the stream may be sent private keys (its own group's only)
   */
  synchronized boolean place(
      Node node, String group, boolean delta, ProxyIdentity identity, boolean keys) {
    if (this.node != null) {
      return false;
    }
    this.group = group;
    this.delta = delta;
    this.identity = identity;
    this.keys = keys;
    this.node = node;
    return true;
  }

  /** Who the stream authenticated as; null if it did not. */
  ProxyIdentity identity() {
    return identity;
  }

  /** Whether secrets holding a private key may be sent on this stream. */
  boolean keys() {
    return keys;
  }

  Node node() {
    return node;
  }

  String group() {
    return group;
  }

  boolean delta() {
    return delta;
  }

  synchronized TypeState type(ResourceType type) {
    return types.computeIfAbsent(type, t -> new TypeState());
  }

  synchronized Map<ResourceType, TypeState> types() {
    return new EnumMap<>(types);
  }
}
