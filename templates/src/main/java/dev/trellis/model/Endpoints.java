package dev.trellis.model;

import java.util.List;
import java.util.Optional;

/** Where a service's instances come from: a static list, a Kubernetes Service, or both. */
public record Endpoints(List<HostPort> staticEndpoints, Optional<KubernetesRef> kubernetes) {

  public static final Endpoints NONE = new Endpoints(List.of(), Optional.empty());

  public Endpoints {
    staticEndpoints = List.copyOf(staticEndpoints);
  }
}
