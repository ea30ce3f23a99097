package dev.trellis.render;

import dev.trellis.model.HostPort;
import java.util.List;

/**
 * Instances of a service found at run time (e.g. ready endpoints of its Kubernetes Service), added
 * to the static endpoints its definition lists.
 */
@FunctionalInterface
public interface DiscoveredEndpoints {

  /** No discovered instances: only static endpoints are rendered. */
  DiscoveredEndpoints NONE = service -> List.of();

  /** The discovered instances of {@code service} as the service's own host:port, never null. */
  List<HostPort> of(String service);
}
