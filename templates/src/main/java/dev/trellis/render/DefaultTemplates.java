package dev.trellis.render;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/** The templates Trellis ships, read once from {@code trellis/templates/} on the class path. */
final class DefaultTemplates {

  static final String RESOURCE_ROOT = "trellis/templates/";

  /** Every default template, by path under {@code templates/}; a test keeps it complete. */
  static final List<String> PATHS =
      List.of(
          "common/endpoints.yaml.j2",
          "common/mtls.j2",
          "common/traffic.j2",
          "edge/clusters.yaml.j2",
          "edge/listeners.yaml.j2",
          "edge/routes.yaml.j2",
          "grpc/clusters.yaml.j2",
          "grpc/listeners.yaml.j2",
          "grpc/routes.yaml.j2",
          "sidecar/clusters.yaml.j2",
          "sidecar/listeners.yaml.j2",
          "sidecar/routes.yaml.j2");

  private DefaultTemplates() {}

  static SortedMap<String, String> all() {
    return Holder.ALL;
  }

  private static final class Holder {
    static final SortedMap<String, String> ALL = load();

    private static SortedMap<String, String> load() {
      SortedMap<String, String> out = new TreeMap<>();
      ClassLoader cl = DefaultTemplates.class.getClassLoader();
      for (String path : PATHS) {
        try (InputStream in = cl.getResourceAsStream(RESOURCE_ROOT + path)) {
          if (in == null) {
            throw new IllegalStateException("default template missing: " + RESOURCE_ROOT + path);
          }
          out.put(path, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      return Collections.unmodifiableSortedMap(out);
    }
  }
}
