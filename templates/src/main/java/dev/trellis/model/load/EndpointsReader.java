package dev.trellis.model.load;

import dev.trellis.model.Endpoints;
import dev.trellis.model.HostPort;
import dev.trellis.model.KubernetesRef;
import dev.trellis.model.SourceLocation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads a service's {@code endpoints}: {@code static} addresses ({@code "host:port"}, or {@code
 * {address: "host:port", zone: z}}) and a {@code kubernetes} Service reference.
 */
final class EndpointsReader {

  static final List<String> FIELDS = List.of("static", "kubernetes");
  static final List<String> STATIC_FIELDS = List.of("address", "zone");
  static final List<String> KUBERNETES_FIELDS = List.of("namespace", "service");

  private EndpointsReader() {}

  static Optional<Endpoints> read(Source src, String path, Node node) {
    Optional<Fields> opened = Fields.open(src, path, node, FIELDS);
    if (opened.isEmpty()) {
      return Optional.empty();
    }
    Fields f = opened.get();
    List<HostPort> statics = new ArrayList<>();
    Map<String, SourceLocation> seen = new HashMap<>();
    for (Values.Item item :
        f.optional("static")
            .flatMap(n -> Values.items(src, f.path("static"), n))
            .orElse(List.of())) {
      staticEndpoint(src, item)
          .ifPresent(
              hp -> {
                SourceLocation first = seen.putIfAbsent(hp.toString(), src.at(item.node()));
                if (first != null) {
                  src.invalid(
                      item.node(),
                      item.path(),
                      "duplicate endpoint '"
                          + hp
                          + "' (first at "
                          + Values.position(first, src.at(item.node()))
                          + ")");
                } else {
                  statics.add(hp);
                }
              });
    }
    Optional<KubernetesRef> kubernetes =
        f.optional("kubernetes").flatMap(n -> kubernetes(src, f.path("kubernetes"), n));
    return Optional.of(new Endpoints(statics, kubernetes));
  }

  private static Optional<HostPort> staticEndpoint(Source src, Values.Item item) {
    if (!(item.node() instanceof MappingNode)) {
      return address(src, item.path(), item.node(), "");
    }
    Optional<Fields> opened = Fields.open(src, item.path(), item.node(), STATIC_FIELDS);
    if (opened.isEmpty()) {
      return Optional.empty();
    }
    Fields f = opened.get();
    Optional<String> zone =
        f.optional("zone")
            .map(n -> Values.text(src, f.path("zone"), n, Syntax.ZONE))
            .orElse(Optional.of(""));
    Optional<Node> address = f.required("address");
    if (address.isEmpty() || zone.isEmpty()) {
      return Optional.empty();
    }
    return address(src, f.path("address"), address.get(), zone.get());
  }

  /** {@code host:port} with a hostname or IPv4 address. */
  private static Optional<HostPort> address(Source src, String path, Node node, String zone) {
    Optional<String> text = Values.text(src, path, node);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    String value = text.get();
    int colon = value.lastIndexOf(':');
    String host = colon < 0 ? value : value.substring(0, colon);
    String port = colon < 0 ? "" : value.substring(colon + 1);
    if (colon < 0 || !Syntax.isHostname(host) || !port.matches("[0-9]{1,5}")) {
      src.invalid(
          node,
          path,
          "'"
              + Values.quote(value)
              + "' is not an address (expected host:port with a lowercase hostname or an IPv4"
              + " address, e.g. 10.0.0.7:8080)");
      return Optional.empty();
    }
    int number = Integer.parseInt(port);
    if (number < 1 || number > 65535) {
      src.invalid(node, path, "port " + number + " is out of range (1-65535)");
      return Optional.empty();
    }
    return Optional.of(new HostPort(host, number, zone));
  }

  private static Optional<KubernetesRef> kubernetes(Source src, String path, Node node) {
    Optional<Fields> opened = Fields.open(src, path, node, KUBERNETES_FIELDS);
    if (opened.isEmpty()) {
      return Optional.empty();
    }
    Fields f = opened.get();
    Optional<String> namespace =
        f.required("namespace")
            .flatMap(n -> Values.text(src, f.path("namespace"), n, Syntax.DNS_LABEL));
    Optional<String> service =
        f.required("service")
            .flatMap(n -> Values.text(src, f.path("service"), n, Syntax.DNS_LABEL));
    if (namespace.isEmpty() || service.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new KubernetesRef(namespace.get(), service.get()));
  }
}
