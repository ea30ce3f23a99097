package dev.trellis.bench.baseline;

import com.google.protobuf.Message;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Pre-built snapshots in a file, so that the baseline server only loads and serves them: group id,
 * then per type (clusters, endpoints, listeners, routes, secrets) the serialized resources.
 * Versions are content hashes, recomputed on load, equal in every process for equal resources.
 */
public final class SnapshotBundle {

  private static final int MAGIC = 0x7b3e1101;

  private SnapshotBundle() {}

  /** A snapshot whose version of each type is a hash of that type's resources. */
  public static Snapshot versioned(
      List<Cluster> clusters,
      List<ClusterLoadAssignment> endpoints,
      List<Listener> listeners,
      List<RouteConfiguration> routes,
      List<Secret> secrets) {
    return Snapshot.create(
        clusters,
        version(clusters),
        endpoints,
        version(endpoints),
        listeners,
        version(listeners),
        routes,
        version(routes),
        secrets,
        version(secrets));
  }

  public static void write(Path file, Map<String, Snapshot> snapshots) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    try (DataOutputStream out =
        new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
      out.writeInt(MAGIC);
      out.writeInt(snapshots.size());
      for (Map.Entry<String, Snapshot> e : snapshots.entrySet()) {
        out.writeUTF(e.getKey());
        Snapshot s = e.getValue();
        writeAll(out, s.clusters().resources().values());
        writeAll(out, s.endpoints().resources().values());
        writeAll(out, s.listeners().resources().values());
        writeAll(out, s.routes().resources().values());
        writeAll(out, s.secrets().resources().values());
      }
    }
  }

  public static SortedMap<String, Snapshot> read(Path file) throws IOException {
    SortedMap<String, Snapshot> out = new TreeMap<>();
    try (DataInputStream in =
        new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
      if (in.readInt() != MAGIC) {
        throw new IOException(file + " is not a snapshot bundle");
      }
      int groups = in.readInt();
      for (int g = 0; g < groups; g++) {
        String id = in.readUTF();
        List<Cluster> clusters = new ArrayList<>();
        for (byte[] b : readAll(in)) {
          clusters.add(Cluster.parseFrom(b));
        }
        List<ClusterLoadAssignment> endpoints = new ArrayList<>();
        for (byte[] b : readAll(in)) {
          endpoints.add(ClusterLoadAssignment.parseFrom(b));
        }
        List<Listener> listeners = new ArrayList<>();
        for (byte[] b : readAll(in)) {
          listeners.add(Listener.parseFrom(b));
        }
        List<RouteConfiguration> routes = new ArrayList<>();
        for (byte[] b : readAll(in)) {
          routes.add(RouteConfiguration.parseFrom(b));
        }
        List<Secret> secrets = new ArrayList<>();
        for (byte[] b : readAll(in)) {
          secrets.add(Secret.parseFrom(b));
        }
        out.put(id, versioned(clusters, endpoints, listeners, routes, secrets));
      }
    }
    return out;
  }

  private static void writeAll(DataOutputStream out, Collection<? extends Message> resources)
      throws IOException {
    out.writeInt(resources.size());
    for (Message m : resources) {
      byte[] b = m.toByteArray();
      out.writeInt(b.length);
      out.write(b);
    }
  }

  private static List<byte[]> readAll(DataInputStream in) throws IOException {
    int n = in.readInt();
    List<byte[]> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      byte[] b = new byte[in.readInt()];
      in.readFully(b);
      out.add(b);
    }
    return out;
  }

  /** A content hash of one type's resources: equal resources, equal version, in any process. */
  static String version(List<? extends Message> resources) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
    for (Message m : resources) {
      sha.update(m.getDescriptorForType().getFullName().getBytes(StandardCharsets.UTF_8));
      sha.update(m.toByteArray());
    }
    return HexFormat.of().formatHex(sha.digest(), 0, 8);
  }
}
