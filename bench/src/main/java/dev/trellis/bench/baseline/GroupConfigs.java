package dev.trellis.bench.baseline;

import dev.trellis.model.Mesh;
import dev.trellis.model.ServiceDef;
import dev.trellis.render.ProxyGroup;
import io.envoyproxy.controlplane.cache.Resources.ResourceType;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/** Builds each proxy group's snapshot from a mesh, with per-type content-hash versions. */
public interface GroupConfigs {

  /** The groups this builder serves, in id order. */
  List<ProxyGroup> groups(Mesh mesh);

  Snapshot snapshot(Mesh mesh, ProxyGroup group);

  /** Every group's snapshot, by group id. */
  default SortedMap<String, Snapshot> snapshots(Mesh mesh) {
    SortedMap<String, Snapshot> out = new TreeMap<>();
    for (ProxyGroup g : groups(mesh)) {
      out.put(g.id(), snapshot(mesh, g));
    }
    return out;
  }

  /** The snapshots of the groups a change to {@code service} can alter, by group id. */
  default SortedMap<String, Snapshot> snapshotsDependingOn(Mesh mesh, String service) {
    SortedMap<String, Snapshot> out = new TreeMap<>();
    Set<String> served = new TreeSet<>();
    groups(mesh).forEach(g -> served.add(g.id()));
    for (ProxyGroup g : groupsDependingOn(mesh, service)) {
      if (served.contains(g.id())) {
        out.put(g.id(), snapshot(mesh, g));
      }
    }
    return out;
  }

  /**
   * The groups whose config can depend on {@code service}: its own sidecars and gRPC group, its
   * callers' and the gateways exposing it.
   */
  static List<ProxyGroup> groupsDependingOn(Mesh mesh, String service) {
    List<ServiceDef> involved = new ArrayList<>(mesh.callersOf(service));
    mesh.service(service).ifPresent(involved::add);
    List<ProxyGroup> out = new ArrayList<>();
    for (ServiceDef s : involved) {
      out.add(ProxyGroup.sidecar(s.name()));
      out.add(ProxyGroup.grpc(s.name()));
    }
    mesh.service(service)
        .flatMap(ServiceDef::edge)
        .ifPresent(e -> out.add(ProxyGroup.edge(e.gateway())));
    return out;
  }

  /** Whether two snapshots carry the same version of every type. */
  static boolean sameVersions(Snapshot a, Snapshot b) {
    if (a == null || b == null) {
      return a == b;
    }
    for (ResourceType t : ResourceType.values()) {
      if (!Objects.equals(a.version(t), b.version(t))) {
        return false;
      }
    }
    return true;
  }

  /** The ids of the groups whose snapshot differs between two builds (added ones included). */
  static Set<String> changed(
      SortedMap<String, Snapshot> before, SortedMap<String, Snapshot> after) {
    Set<String> out = new TreeSet<>();
    after.forEach(
        (group, snap) -> {
          if (!sameVersions(before.get(group), snap)) {
            out.add(group);
          }
        });
    return out;
  }
}
