package dev.trellis.bench.mesh;

import dev.trellis.model.Dependency;
import dev.trellis.model.EdgeExposure;
import dev.trellis.model.Gateway;
import dev.trellis.model.HostPort;
import dev.trellis.model.Mesh;
import dev.trellis.model.MeshConfig;
import dev.trellis.model.ServiceDef;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Writes a mesh as a Trellis definitions repo: {@code mesh.yaml} and {@code services/<name>.yaml}.
 */
public final class DefinitionsWriter {

  private DefinitionsWriter() {}

  /**
   * Writes every file of {@code mesh} under {@code dir}, removing service files it no longer has.
   */
  public static void write(Mesh mesh, Path dir) {
    try {
      Path services = dir.resolve("services");
      Files.createDirectories(services);
      writeAtomically(dir.resolve(MeshConfig.FILE), meshYaml(mesh.config()));
      try (Stream<Path> old = Files.list(services)) {
        for (Path p : old.toList()) {
          String file = p.getFileName().toString();
          if (file.endsWith(".yaml")
              && !mesh.services().containsKey(file.substring(0, file.length() - 5))) {
            Files.delete(p);
          }
        }
      }
      for (ServiceDef s : mesh.services().values()) {
        writeAtomically(serviceFile(dir, s.name()), serviceYaml(s));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write definitions under " + dir, e);
    }
  }

  /** Rewrites one service's file, replacing it in one step so a watcher never reads half a file. */
  public static void writeService(ServiceDef service, Path dir) {
    try {
      writeAtomically(serviceFile(dir, service.name()), serviceYaml(service));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + serviceFile(dir, service.name()), e);
    }
  }

  static Path serviceFile(Path dir, String service) {
    return dir.resolve("services").resolve(service + ".yaml");
  }

  static String meshYaml(MeshConfig c) {
    StringBuilder b = new StringBuilder();
    b.append("name: ").append(c.name()).append('\n');
    b.append("trustDomain: ").append(c.trustDomain()).append('\n');
    b.append("mtls: ").append(lower(c.mtlsDefault())).append('\n');
    if (!c.gateways().isEmpty()) {
      b.append("gateways:\n");
      for (Gateway g : c.gateways()) {
        b.append("  - name: ").append(g.name()).append('\n');
        b.append("    httpsPort: ").append(g.httpsPort()).append('\n');
        b.append("    httpPort: ").append(g.httpPort()).append('\n');
      }
    }
    return b.toString();
  }

  static String serviceYaml(ServiceDef s) {
    StringBuilder b = new StringBuilder();
    b.append("name: ").append(s.name()).append('\n');
    b.append("owner: ").append(s.owner()).append('\n');
    b.append("protocol: ").append(lower(s.protocol())).append('\n');
    b.append("port: ").append(s.port()).append('\n');
    b.append("sidecar: ").append(s.sidecar()).append('\n');
    s.mtls().ifPresent(m -> b.append("mtls: ").append(lower(m)).append('\n'));
    List<HostPort> statics = s.endpoints().staticEndpoints();
    if (!statics.isEmpty()) {
      b.append("endpoints:\n  static: ")
          .append(list(statics.stream().map(HostPort::toString).toList()))
          .append('\n');
    }
    if (!s.dependencies().isEmpty()) {
      b.append("dependencies:\n");
      for (Dependency d : s.dependencies()) {
        b.append("  - name: ").append(d.name()).append('\n');
        d.timeout().ifPresent(t -> b.append("    timeout: ").append(duration(t)).append('\n'));
        b.append("    retries: ").append(d.retries()).append('\n');
      }
    }
    if (s.edge().isPresent()) {
      EdgeExposure e = s.edge().get();
      b.append("edge:\n");
      b.append("  gateway: ").append(e.gateway()).append('\n');
      b.append("  hosts: ").append(list(e.hosts())).append('\n');
      b.append("  paths: ").append(list(e.paths())).append('\n');
    }
    return b.toString();
  }

  /** The definitions format's duration: whole seconds as {@code 2s}, else milliseconds. */
  static String duration(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
  }

  private static String list(List<String> items) {
    return items.stream().map(i -> "\"" + i + "\"").collect(Collectors.joining(", ", "[", "]"));
  }

  private static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  private static void writeAtomically(Path target, String text) throws IOException {
    // Outside services/ so that a loader listing the directory never sees the temporary file.
    Path tmp = target.getParent().getParent().resolve(".bench-write.tmp");
    if (target.getFileName().toString().equals(MeshConfig.FILE)) {
      tmp = target.resolveSibling(".bench-write.tmp");
    }
    Files.writeString(tmp, text, StandardCharsets.UTF_8);
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
