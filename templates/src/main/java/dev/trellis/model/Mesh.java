package dev.trellis.model;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A validated mesh: its settings, its services by name, and any template overrides the definitions
 * repo carries (template path relative to {@code templates/} mapped to its text).
 */
public record Mesh(
    MeshConfig config,
    SortedMap<String, ServiceDef> services,
    SortedMap<String, String> templateOverrides) {

  public Mesh {
    services = Collections.unmodifiableSortedMap(new TreeMap<>(services));
    templateOverrides = Collections.unmodifiableSortedMap(new TreeMap<>(templateOverrides));
  }

  public Optional<ServiceDef> service(String name) {
    return Optional.ofNullable(services.get(name));
  }

  public Optional<Gateway> gateway(String name) {
    return config.gateways().stream().filter(g -> g.name().equals(name)).findFirst();
  }

  /** The effective mTLS mode of a service: its own, else the mesh default. */
  public MtlsMode mtlsOf(ServiceDef service) {
    return service.mtls().orElse(config.mtlsDefault());
  }

  /** The services that declare {@code callee} as a dependency, by name. */
  public List<ServiceDef> callersOf(String callee) {
    return services.values().stream()
        .filter(s -> s.dependencies().stream().anyMatch(d -> d.name().equals(callee)))
        .toList();
  }

  /** The services exposed through {@code gateway}, by name. */
  public Map<String, ServiceDef> exposedThrough(String gateway) {
    SortedMap<String, ServiceDef> out = new TreeMap<>();
    services.forEach(
        (n, s) -> s.edge().filter(e -> e.gateway().equals(gateway)).ifPresent(e -> out.put(n, s)));
    return Collections.unmodifiableSortedMap(out);
  }
}
