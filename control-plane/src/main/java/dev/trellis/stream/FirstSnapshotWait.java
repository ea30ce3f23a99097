package dev.trellis.stream;

import io.envoyproxy.controlplane.cache.AbstractWatch;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.cache.SnapshotCache;
import io.envoyproxy.controlplane.cache.XdsRequest;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the watches of a group that has no snapshot yet and creates them once its first snapshot is
 * set, so they see it whole (after a restart, proxies reconnect before the first publish).
 *
 * <p>Why: java-control-plane compares a watch opened before any snapshot with nothing, so on the
 * first snapshot it sends a delta client every resource it subscribed to, whatever versions it
 * announced, and never tells it that a resource it holds is gone. A watch created after the
 * snapshot goes through {@link GuardedConfigWatcher}'s rules like any other.
 *
 * <p>The cache has no snapshot listener; the signal is a watch of the cache's own, one per waiting
 * group, on a version no snapshot has and a name none holds: the cache answers it (with nothing)
 * exactly when the group's first snapshot is set.
 */
final class FirstSnapshotWait {

  private static final Logger LOG = LoggerFactory.getLogger(FirstSnapshotWait.class);

  /** Version and resource name of the signal watch; no snapshot or group has them. */
  static final String SIGNAL = "trellis/first-snapshot";

  private final SnapshotCache<String, Snapshot> cache;
  private final Executor executor;

  /** Actions waiting per group. Guarded by this. */
  private final Map<String, List<Runnable>> waiting = new HashMap<>();

  /**
   * @param executor runs the held watches' creation once the snapshot is set (not the publishing
   *     thread, which is still inside the cache then)
   */
  FirstSnapshotWait(SnapshotCache<String, Snapshot> cache, Executor executor) {
    this.cache = cache;
    this.executor = executor;
  }

  /**
   * If {@code group} has no snapshot yet, holds {@code placeholder} (the watch handed to the
   * server; cancelling it cancels the real one) and returns true; {@code create} makes the real
   * watch once the snapshot is set, unless the placeholder was cancelled first. Returns false if
   * the group has a snapshot: the caller creates the watch itself.
   */
  <W extends AbstractWatch<?, ?>> boolean hold(
      String group, Node node, W placeholder, Supplier<? extends W> create) {
    AtomicReference<W> real = new AtomicReference<>();
    Runnable action =
        () -> {
          if (placeholder.isCancelled()) {
            return;
          }
          W watch = create.get();
          real.set(watch);
          if (placeholder.isCancelled()) {
            watch.cancel();
          }
        };
    synchronized (this) {
      if (cache.getSnapshot(group) != null) {
        return false;
      }
      placeholder.setStop(
          () -> {
            W watch = real.get();
            if (watch != null) {
              watch.cancel();
            }
          });
      List<Runnable> actions = waiting.get(group);
      if (actions == null) {
        actions = new ArrayList<>();
        waiting.put(group, actions);
        signalOnFirstSnapshot(group, node);
      }
      actions.add(action);
      return true;
    }
  }

  /** Answered by the cache (possibly at once, if the snapshot was set meanwhile). */
  private void signalOnFirstSnapshot(String group, Node node) {
    DiscoveryRequest probe =
        DiscoveryRequest.newBuilder()
            .setNode(node)
            .setTypeUrl(Resources.V3.CLUSTER_TYPE_URL)
            .setVersionInfo(SIGNAL)
            .addResourceNames(SIGNAL)
            .build();
    cache.createWatch(
        false,
        XdsRequest.create(probe),
        Set.of(SIGNAL),
        response -> executor.execute(() -> release(group)),
        false,
        false);
  }

  private void release(String group) {
    List<Runnable> actions;
    synchronized (this) {
      actions = waiting.remove(group);
    }
    if (actions == null) {
      return;
    }
    LOG.debug("Group '{}' has its first snapshot: creating {} held watches", group, actions.size());
    for (Runnable action : actions) {
      try {
        action.run();
      } catch (RuntimeException e) {
        LOG.error("Cannot create a held watch of group '{}'", group, e);
      }
    }
  }
}
