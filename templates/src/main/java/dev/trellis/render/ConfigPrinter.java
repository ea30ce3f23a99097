package dev.trellis.render;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Prints rendered config the way Envoy documents it: resources grouped by type ({@code clusters},
 * {@code endpoints}, {@code listeners}, {@code routes}, {@code secrets}), proto field names, typed
 * configs with {@code @type}. Output is deterministic: same config, same bytes.
 */
public final class ConfigPrinter {

  /** Output syntax. */
  public enum Format {
    JSON,
    YAML
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final YAMLMapper YAML =
      YAMLMapper.builder()
          .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
          .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
          .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
          .build();
  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer()
          .usingTypeRegistry(EnvoyTypes.registry())
          .preservingProtoFieldNames()
          .sortingMapKeys()
          .omittingInsignificantWhitespace();

  private ConfigPrinter() {}

  /** One group: a mapping from resource type to its resources, in name order. */
  public static String print(RenderedGroup group, Format format) {
    return write(tree(group), format);
  }

  /** A whole mesh: a mapping from group id to {@link #print(RenderedGroup, Format)}'s mapping. */
  public static String print(RenderedMesh mesh, Format format) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    mesh.groups().forEach((id, group) -> root.set(id, tree(group)));
    return write(root, format);
  }

  private static ObjectNode tree(RenderedGroup group) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    for (ResourceType type : ResourceType.values()) {
      List<RenderedResource> resources = group.of(type);
      if (resources.isEmpty()) {
        continue;
      }
      ArrayNode list = out.putArray(type.plural());
      for (RenderedResource r : resources) {
        try {
          list.add(JSON.readTree(PRINTER.print(r.proto())));
        } catch (InvalidProtocolBufferException | JsonProcessingException e) {
          throw new IllegalStateException(
              "cannot print " + type.plural() + " '" + r.name() + "': " + e.getMessage(), e);
        }
      }
    }
    return out;
  }

  private static String write(ObjectNode tree, Format format) {
    try {
      return switch (format) {
        case JSON -> JSON.writerWithDefaultPrettyPrinter().writeValueAsString(tree) + "\n";
        case YAML -> YAML.writeValueAsString(tree);
      };
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
