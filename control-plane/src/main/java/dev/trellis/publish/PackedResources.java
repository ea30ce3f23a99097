package dev.trellis.publish;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import com.google.protobuf.Any;
import com.google.protobuf.Message;
import io.envoyproxy.controlplane.cache.Resources.ApiVersion;
import io.envoyproxy.controlplane.server.serializer.ProtoResourcesSerializer;
import java.util.concurrent.ExecutionException;

/**
 * Packs each published resource into its {@link Any} once, however many streams it is sent on.
 *
 * <p>Unlike java-control-plane's {@code CachedProtoResourcesSerializer} (equality keys, weak
 * values, so a packed form may be collected between pushes and packed again), entries here are
 * keyed by the resource instance and live exactly as long as a snapshot holds that instance.
 */
public final class PackedResources implements ProtoResourcesSerializer {

  private final Cache<Message, Any> packed = CacheBuilder.newBuilder().weakKeys().build();

  @Override
  public Any serialize(Message resource, ApiVersion apiVersion) {
    try {
      return packed.get(resource, () -> Any.pack(resource));
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot pack " + resource.getClass().getName(), e);
    }
  }

  /** Packs every resource of a snapshot ahead of the first push. */
  void packAll(GroupSnapshot snapshot) {
    for (var type : io.envoyproxy.controlplane.cache.Resources.RESOURCE_TYPES_IN_ORDER) {
      for (Message m : snapshot.resources(type).values()) {
        serialize(m, ApiVersion.V3);
      }
    }
  }
}
