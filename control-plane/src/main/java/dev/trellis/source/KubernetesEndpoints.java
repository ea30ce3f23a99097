package dev.trellis.source;

import dev.trellis.model.HostPort;
import dev.trellis.model.KubernetesRef;
import dev.trellis.model.Mesh;
import dev.trellis.model.ServiceDef;
import dev.trellis.render.DiscoveredEndpoints;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ready instances of every mesh service that names a Kubernetes Service ({@code endpoints:
 * kubernetes: {namespace, service}}), read from its EndpointSlices and kept current by one informer
 * per namespace; thread-safe.
 *
 * <p>An instance is an address of an endpoint that is not known to be unready or terminating
 * (Kubernetes reads an absent condition as ready), at the slice port whose number is the service's
 * declared {@code port}, or at the slice's only port when none is; its zone is the endpoint's zone.
 * Each change calls {@code onChange} (on an informer thread; it must return quickly) after the new
 * instances are visible through {@link #of}.
 */
public final class KubernetesEndpoints implements DiscoveredEndpoints, AutoCloseable {

  /** The label Kubernetes puts on every EndpointSlice with the name of the Service it serves. */
  static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

  private static final Logger log = LoggerFactory.getLogger(KubernetesEndpoints.class);

  private final KubernetesClient client;
  private final Runnable onChange;

  // Guarded by this.
  private final Map<String, SharedIndexInformer<EndpointSlice>> informers = new HashMap<>();
  private Map<String, ServiceDef> watched = Map.of();
  private boolean closed;

  private volatile Map<String, List<HostPort>> instances = Map.of();

  public KubernetesEndpoints(KubernetesClient client, Runnable onChange) {
    this.client = Objects.requireNonNull(client, "client");
    this.onChange = Objects.requireNonNull(onChange, "onChange");
  }

  @Override
  public List<HostPort> of(String service) {
    return instances.getOrDefault(service, List.of());
  }

  /** The current instances of every watched service, by mesh service name. */
  public Map<String, List<HostPort>> instances() {
    return instances;
  }

  /**
   * Watches the Kubernetes Services {@code mesh} names from now on: informers start for namespaces
   * new to it (their initial lists read before this returns) and stop for namespaces no longer
   * named. A namespace that cannot be watched is logged and tried again on the next call.
   */
  public synchronized void watch(Mesh mesh) {
    if (closed) {
      throw new IllegalStateException("Kubernetes endpoints source is closed");
    }
    Map<String, ServiceDef> next = new LinkedHashMap<>();
    Set<String> namespaces = new TreeSet<>();
    for (ServiceDef s : mesh.services().values()) {
      s.endpoints()
          .kubernetes()
          .ifPresent(
              ref -> {
                next.put(s.name(), s);
                namespaces.add(ref.namespace());
              });
    }
    watched = Map.copyOf(next);
    for (var it = informers.entrySet().iterator(); it.hasNext(); ) {
      var entry = it.next();
      if (!namespaces.contains(entry.getKey())) {
        entry.getValue().stop();
        it.remove();
      }
    }
    for (String ns : namespaces) {
      if (!informers.containsKey(ns)) {
        try {
          informers.put(ns, inform(ns));
        } catch (KubernetesClientException e) {
          // Rendered without its discovered instances until the next load retries.
          log.error("cannot watch EndpointSlices in namespace '{}': {}", ns, e.getMessage());
        }
      }
    }
    refresh();
  }

  private SharedIndexInformer<EndpointSlice> inform(String namespace) {
    log.info("watching EndpointSlices in namespace '{}'", namespace);
    return client
        .discovery()
        .v1()
        .endpointSlices()
        .inNamespace(namespace)
        .inform(
            new ResourceEventHandler<>() {
              @Override
              public void onAdd(EndpointSlice slice) {
                changed();
              }

              @Override
              public void onUpdate(EndpointSlice before, EndpointSlice after) {
                changed();
              }

              @Override
              public void onDelete(EndpointSlice slice, boolean finalStateUnknown) {
                changed();
              }
            });
  }

  private void changed() {
    boolean moved;
    synchronized (this) {
      if (closed) {
        return;
      }
      moved = refresh();
    }
    if (moved) {
      onChange.run();
    }
  }

  /** Recomputes the instances from the informers' stores; true if they changed. */
  private synchronized boolean refresh() {
    Map<String, List<EndpointSlice>> slicesByService = new HashMap<>();
    informers.forEach(
        (ns, informer) -> {
          for (EndpointSlice slice : informer.getStore().list()) {
            String service =
                slice.getMetadata().getLabels() == null
                    ? null
                    : slice.getMetadata().getLabels().get(SERVICE_NAME_LABEL);
            if (service != null) {
              slicesByService
                  .computeIfAbsent(ns + "/" + service, k -> new ArrayList<>())
                  .add(slice);
            }
          }
        });
    Map<String, List<HostPort>> next = new TreeMap<>();
    watched.forEach(
        (name, def) -> {
          KubernetesRef ref = def.endpoints().kubernetes().orElseThrow();
          List<EndpointSlice> slices =
              slicesByService.getOrDefault(ref.namespace() + "/" + ref.service(), List.of());
          next.put(name, instancesOf(def, slices));
        });
    Map<String, List<HostPort>> frozen = Collections.unmodifiableMap(next);
    boolean moved = !frozen.equals(instances);
    instances = frozen;
    return moved;
  }

  static List<HostPort> instancesOf(ServiceDef def, List<EndpointSlice> slices) {
    Set<HostPort> out =
        new TreeSet<>(Comparator.comparing(HostPort::host).thenComparingInt(HostPort::port));
    for (EndpointSlice slice : slices) {
      Integer port = port(def, slice.getPorts());
      if (port == null || slice.getEndpoints() == null) {
        continue;
      }
      for (Endpoint e : slice.getEndpoints()) {
        if (!ready(e) || e.getAddresses() == null) {
          continue;
        }
        for (String address : e.getAddresses()) {
          out.add(new HostPort(address, port, e.getZone() == null ? "" : e.getZone()));
        }
      }
    }
    return List.copyOf(out);
  }

  private static Integer port(ServiceDef def, List<EndpointPort> ports) {
    if (ports == null || ports.isEmpty()) {
      return null;
    }
    for (EndpointPort p : ports) {
      if (p.getPort() != null && p.getPort() == def.port()) {
        return p.getPort();
      }
    }
    return ports.size() == 1 ? ports.get(0).getPort() : null;
  }

  private static boolean ready(Endpoint e) {
    if (e.getConditions() == null) {
      return true;
    }
    return !Boolean.FALSE.equals(e.getConditions().getReady())
        && !Boolean.TRUE.equals(e.getConditions().getTerminating());
  }

  @Override
  public synchronized void close() {
    closed = true;
    informers.values().forEach(SharedIndexInformer::stop);
    informers.clear();
  }
}
