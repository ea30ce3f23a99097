package dev.trellis.model.load;

import dev.trellis.model.EdgeExposure;
import dev.trellis.model.SourceLocation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads a service's {@code edge} exposure: a gateway declared in {@code mesh.yaml}, one or more
 * hosts, and path prefixes (default {@code /}).
 */
final class EdgeReader {

  static final List<String> FIELDS = List.of("gateway", "hosts", "paths");
  static final List<String> DEFAULT_PATHS = List.of("/");

  private EdgeReader() {}

  static Optional<EdgeExposure> read(Source src, String path, Node node, MeshFile mesh) {
    Optional<Fields> opened = Fields.open(src, path, node, FIELDS);
    if (opened.isEmpty()) {
      return Optional.empty();
    }
    Fields f = opened.get();
    Optional<String> gateway =
        f.required("gateway").flatMap(n -> gateway(src, f.path("gateway"), n, mesh));
    Optional<List<String>> hosts =
        f.required("hosts").flatMap(n -> list(src, f.path("hosts"), n, "host", Syntax.EDGE_HOST));
    Optional<List<String>> paths =
        f.optional("paths")
            .map(n -> list(src, f.path("paths"), n, "path", Syntax.PATH_PREFIX))
            .orElse(Optional.of(DEFAULT_PATHS));
    if (gateway.isEmpty() || hosts.isEmpty() || paths.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new EdgeExposure(gateway.get(), hosts.get(), paths.get()));
  }

  private static Optional<String> gateway(Source src, String path, Node node, MeshFile mesh) {
    Optional<String> name = Values.text(src, path, node, Syntax.DNS_LABEL);
    if (name.isEmpty() || !mesh.gatewaysKnown()) {
      return name;
    }
    List<String> declared = mesh.gateways().stream().map(Ref::value).distinct().toList();
    if (!declared.contains(name.get())) {
      src.invalid(
          node,
          path,
          "unknown gateway '"
              + name.get()
              + "' ("
              + (declared.isEmpty()
                  ? "mesh.yaml declares no gateways"
                  : "mesh.yaml declares: " + declared.stream().collect(Collectors.joining(", ")))
              + ")");
      return Optional.empty();
    }
    return name;
  }

  /** A non-empty list of distinct strings, each satisfying {@code rule}. */
  private static Optional<List<String>> list(
      Source src, String path, Node node, String what, Syntax.Rule rule) {
    Optional<List<Values.Item>> items = Values.nonEmptyItems(src, path, node);
    if (items.isEmpty()) {
      return Optional.empty();
    }
    List<String> out = new ArrayList<>();
    Map<String, SourceLocation> seen = new HashMap<>();
    boolean ok = true;
    for (Values.Item item : items.get()) {
      Optional<String> value = Values.text(src, item.path(), item.node(), rule);
      if (value.isEmpty()) {
        ok = false;
        continue;
      }
      SourceLocation first = seen.putIfAbsent(value.get(), src.at(item.node()));
      if (first != null) {
        src.invalid(
            item.node(),
            item.path(),
            "duplicate "
                + what
                + " '"
                + value.get()
                + "' (first at "
                + Values.position(first, src.at(item.node()))
                + ")");
        ok = false;
        continue;
      }
      out.add(value.get());
    }
    return ok ? Optional.of(out) : Optional.empty();
  }
}
