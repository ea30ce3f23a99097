package dev.trellis.model.load;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A YAML mapping read as an object with a fixed set of fields. Opening one reports unknown fields,
 * duplicate keys and keys that are not plain names; reading a field records where it was written.
 */
final class Fields {

  private final Source src;
  private final String path;
  private final Node node;
  private final Map<String, Node> values;

  private Fields(Source src, String path, Node node, Map<String, Node> values) {
    this.src = src;
    this.path = path;
    this.node = node;
    this.values = values;
  }

  /**
   * The mapping at {@code path} with the given field names, or empty after reporting a non-mapping.
   */
  static Optional<Fields> open(Source src, String path, Node node, List<String> known) {
    if (!(node instanceof MappingNode mapping)) {
      src.invalid(
          node,
          path,
          "expected a mapping"
              + (path.isEmpty() ? " of fields at the top of the file" : "")
              + ", got "
              + Values.describe(node));
      return Optional.empty();
    }
    src.read(path, node);
    Map<String, Node> values = new LinkedHashMap<>();
    Map<String, Node> keys = new LinkedHashMap<>();
    String where = path.isEmpty() ? "" : " in " + path;
    for (NodeTuple t : mapping.getValue()) {
      Node keyNode = t.getKeyNode();
      if (keyNode.getTag().equals(Tag.MERGE)) {
        src.error(src.at(keyNode), path, "merge keys ('<<') are not supported" + where);
        continue;
      }
      if (!(keyNode instanceof ScalarNode key) || !Values.isName(key)) {
        src.error(
            src.at(keyNode),
            path,
            "expected a field name" + where + ", got " + Values.describe(keyNode));
        continue;
      }
      String name = key.getValue();
      Node first = keys.putIfAbsent(name, key);
      if (first != null) {
        src.error(
            src.at(key),
            join(path, name),
            "duplicate field '"
                + Values.quote(name)
                + "'"
                + where
                + " (first at "
                + Values.position(src.at(first), src.at(key))
                + ")");
      } else if (!known.contains(name)) {
        src.error(
            src.at(key),
            join(path, name),
            "unknown field '"
                + Values.quote(name)
                + "'"
                + where
                + " (expected one of: "
                + String.join(", ", known)
                + Suggestions.hint(name, known)
                + ")");
      } else {
        values.put(name, t.getValueNode());
      }
    }
    return Optional.of(new Fields(src, path, node, values));
  }

  static String join(String path, String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  String path(String field) {
    return join(path, field);
  }

  Source source() {
    return src;
  }

  /** The value of {@code field} if written. */
  Optional<Node> optional(String field) {
    Node value = values.get(field);
    if (value != null) {
      src.read(path(field), value);
    }
    return Optional.ofNullable(value);
  }

  /** The value of {@code field}, or empty after reporting it missing. */
  Optional<Node> required(String field) {
    Optional<Node> value = optional(field);
    if (value.isEmpty()) {
      src.error(
          src.at(node),
          path(field),
          "missing required field '" + field + "'" + (path.isEmpty() ? "" : " in " + path));
    }
    return value;
  }
}
