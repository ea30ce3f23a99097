package dev.trellis.model.load;

import dev.trellis.model.SecurityHeaders;
import dev.trellis.model.SecurityHeaders.Header;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads {@code securityHeaders}: per header field a value, or {@code false} to send none. Used for
 * the mesh defaults and for a service's overrides.
 */
final class SecurityHeadersReader {

  static final List<String> FIELDS = Arrays.stream(Header.values()).map(Header::field).toList();

  private SecurityHeadersReader() {}

  static Optional<SecurityHeaders> read(Source src, String path, Node node) {
    Optional<Fields> opened = Fields.open(src, path, node, FIELDS);
    if (opened.isEmpty()) {
      return Optional.empty();
    }
    Fields f = opened.get();
    Map<Header, Optional<String>> values = new EnumMap<>(Header.class);
    boolean ok = true;
    for (Header h : Header.values()) {
      Optional<Node> value = f.optional(h.field());
      if (value.isEmpty()) {
        continue;
      }
      Optional<Optional<String>> read = value(src, f.path(h.field()), value.get());
      if (read.isEmpty()) {
        ok = false;
      } else {
        values.put(h, read.get());
      }
    }
    return ok ? Optional.of(new SecurityHeaders(values)) : Optional.empty();
  }

  /** {@code false} is "no header"; a boolean-looking word such as {@code off} is neither. */
  private static Optional<Optional<String>> value(Source src, String path, Node node) {
    if (node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.BOOL)) {
      if (scalar.getValue().equals("false")) {
        return Optional.of(Optional.empty());
      }
      src.invalid(
          node,
          path,
          "expected a header value, or false to send none; got '"
              + Values.quote(scalar.getValue())
              + "' (quote it to send it as the value)");
      return Optional.empty();
    }
    return Values.text(src, path, node, Syntax.HEADER_VALUE).map(Optional::of);
  }
}
