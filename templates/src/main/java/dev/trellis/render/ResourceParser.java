package dev.trellis.render;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.trellis.model.SourceLocation;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Turns one template's rendered YAML (a list of resources in Envoy's JSON field names) into protos,
 * via JSON and {@link JsonFormat} with {@link EnvoyTypes#registry()}: unknown fields and unknown
 * {@code @type}s are errors.
 *
 * <p>Many groups render byte-identical resources (every HTTP sidecar's inbound listener, the
 * cluster and endpoints of a popular service in each caller's group), so the rendered list is cut
 * at its top-level items and each distinct item text is parsed once per {@link Cache}. Rendered
 * text that cannot be cut that way (YAML anchors across items, text before the first item) is
 * parsed as a whole.
 */
final class ResourceParser {

  private static final YAMLMapper YAML = new YAMLMapper();
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A document separator or end marker after the start of the text. */
  private static final Pattern DOCUMENT_MARKER = Pattern.compile("\\n(---|\\.\\.\\.)(\\s|$)");

  private static final JsonFormat.Parser PARSER =
      JsonFormat.parser().usingTypeRegistry(EnvoyTypes.registry());

  /** Parsed items by type and text; share one across the groups of a render. */
  static final class Cache {
    private final Map<Key, Converted> items = new ConcurrentHashMap<>();
  }

  private record Key(ResourceType type, String text) {}

  /** One rendered item: its name, and its proto or why there is none. */
  private record Converted(String name, Message proto, String error) {}

  /** Where a rendered template came from, for origins and errors. */
  record Source(
      ResourceType type,
      String template,
      TemplateSet.Output output,
      TemplateSet templates,
      String group,
      SourceLocation fallback) {}

  List<RenderedResource> parse(Source src, Cache cache, List<RenderError> errors) {
    String text = src.output().text();
    if (text.isBlank()) {
      return List.of();
    }
    List<Integer> starts = itemStarts(text);
    List<Converted> items = byItem(src.type(), text, starts, cache);
    if (items == null) {
      items = whole(src, text, starts, errors);
      if (items == null) {
        return List.of();
      }
    }
    List<RenderTrace.Mark> marks = src.output().marks();
    boolean marked = marks.size() == items.size();
    List<RenderedResource> out = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      Origin origin =
          marked
              ? originOf(marks.get(i), src.templates())
              : new Origin(src.template(), 0, src.fallback());
      Converted c = items.get(i);
      String label =
          typeName(src.type()) + (c.name().isEmpty() ? " #" + (i + 1) : " '" + c.name() + "'");
      if (c.error() != null) {
        errors.add(
            new RenderError(
                origin.template(), origin.templateLine(), src.group(), label + c.error()));
      } else {
        out.add(new RenderedResource(src.type(), c.name(), c.proto(), origin));
      }
    }
    return out;
  }

  /** Items parsed one by one through the cache, or null if the text cannot be cut into items. */
  private static List<Converted> byItem(
      ResourceType type, String text, List<Integer> starts, Cache cache) {
    if (starts.isEmpty() || !blankOrComments(text.substring(0, starts.get(0)))) {
      return null;
    }
    List<Converted> out = new ArrayList<>(starts.size());
    for (int i = 0; i < starts.size(); i++) {
      int end = i + 1 < starts.size() ? starts.get(i + 1) : text.length();
      Key key = new Key(type, text.substring(starts.get(i), end));
      if (DOCUMENT_MARKER.matcher(key.text()).find()) {
        return null; // let the whole-text parse report it
      }
      Converted c = cache.items.get(key);
      if (c == null) {
        JsonNode list = FastYaml.parse(key.text());
        if (list == null) {
          try {
            list = YAML.readTree(key.text());
          } catch (JsonProcessingException e) {
            return null; // reported with rendered line numbers by the whole-text parse
          }
        }
        if (list == null || !list.isArray() || list.size() != 1) {
          return null;
        }
        c = convert(type, list.get(0));
        cache.items.putIfAbsent(key, c);
      }
      out.add(c);
    }
    return out;
  }

  private static List<Converted> whole(
      Source src, String text, List<Integer> starts, List<RenderError> errors) {
    if (DOCUMENT_MARKER.matcher(text).find()) {
      // Jackson would silently read the first document only.
      errors.add(
          new RenderError(
              src.template(), 0, src.group(), "rendered text has more than one YAML document"));
      return null;
    }
    JsonNode root = FastYaml.parse(text);
    try {
      if (root == null) {
        root = YAML.readTree(text);
      }
    } catch (JsonProcessingException e) {
      int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
      String problem = e.getOriginalMessage();
      Origin at = originOfRenderedLine(src, text, line, starts);
      errors.add(
          new RenderError(
              at.template(),
              at.templateLine(),
              src.group(),
              "rendered text is not valid YAML at rendered line "
                  + line
                  + renderedLineText(text, line)
                  + ": "
                  + problem));
      return null;
    }
    if (root == null || root.isNull() || root.isMissingNode()) {
      return List.of();
    }
    if (!root.isArray()) {
      errors.add(
          new RenderError(
              src.template(),
              0,
              src.group(),
              "expected a YAML list of "
                  + typeName(src.type())
                  + " resources, got a "
                  + kind(root)));
      return null;
    }
    List<Converted> out = new ArrayList<>(root.size());
    root.forEach(item -> out.add(convert(src.type(), item)));
    return out;
  }

  private static Converted convert(ResourceType type, JsonNode item) {
    if (!item.isObject()) {
      return new Converted("", null, " is a " + kind(item) + ", not a mapping");
    }
    String nameField = type == ResourceType.ENDPOINT ? "cluster_name" : "name";
    JsonNode nameNode = item.get(nameField);
    String name = nameNode != null && nameNode.isTextual() ? nameNode.asText() : "";
    Message.Builder builder = defaultInstance(type).newBuilderForType();
    try {
      PARSER.merge(JSON.writeValueAsString(item), builder);
    } catch (JsonProcessingException | com.google.protobuf.InvalidProtocolBufferException e) {
      return new Converted(name, null, ": " + e.getMessage());
    } catch (RuntimeException e) {
      // JsonFormat reports some malformed values (e.g. a bad Duration) unchecked.
      return new Converted(name, null, ": " + e.getMessage());
    }
    if (name.isEmpty()) {
      return new Converted(name, null, " has no " + nameField);
    }
    return new Converted(name, builder.build(), null);
  }

  private static Origin originOf(RenderTrace.Mark mark, TemplateSet templates) {
    return new Origin(templates.path(mark.templateId()), mark.line(), mark.definition());
  }

  /** The origin of the resource a rendered line belongs to, as far as it is known. */
  private static Origin originOfRenderedLine(
      Source src, String text, int renderedLine, List<Integer> starts) {
    int item = -1;
    for (int i = 0; i < starts.size() && lineOf(text, starts.get(i)) <= renderedLine; i++) {
      item = i;
    }
    List<RenderTrace.Mark> marks = src.output().marks();
    if (item >= 0 && marks.size() == starts.size()) {
      return originOf(marks.get(item), src.templates());
    }
    return new Origin(src.template(), 0, src.fallback());
  }

  /** Offsets of the lines where a top-level list item starts ({@code "- "} at column 0). */
  static List<Integer> itemStarts(String text) {
    List<Integer> starts = new ArrayList<>();
    int n = text.length();
    for (int i = 0; i < n; i = text.indexOf('\n', i) + 1) {
      if (text.charAt(i) == '-'
          && (i + 1 == n || text.charAt(i + 1) == ' ' || text.charAt(i + 1) == '\n')) {
        starts.add(i);
      }
      if (text.indexOf('\n', i) < 0) {
        break;
      }
    }
    return starts;
  }

  private static boolean blankOrComments(String s) {
    for (String line : s.split("\n")) {
      String t = line.strip();
      if (!t.isEmpty() && !t.startsWith("#")) {
        return false;
      }
    }
    return true;
  }

  private static int lineOf(String text, int offset) {
    int line = 1;
    for (int i = 0; i < offset; i++) {
      if (text.charAt(i) == '\n') {
        line++;
      }
    }
    return line;
  }

  private static String renderedLineText(String text, int line) {
    String[] lines = text.split("\n", -1);
    return line >= 1 && line <= lines.length ? " (`" + lines[line - 1].strip() + "`)" : "";
  }

  private static String kind(JsonNode n) {
    return switch (n.getNodeType()) {
      case OBJECT, POJO -> "mapping";
      case ARRAY -> "list";
      case NULL, MISSING -> "null";
      default -> n.getNodeType().name().toLowerCase(Locale.ROOT);
    };
  }

  static String typeName(ResourceType type) {
    return type.protoClass().getSimpleName();
  }

  private static Message defaultInstance(ResourceType type) {
    return switch (type) {
      case CLUSTER -> io.envoyproxy.envoy.config.cluster.v3.Cluster.getDefaultInstance();
      case ENDPOINT ->
          io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment.getDefaultInstance();
      case LISTENER -> io.envoyproxy.envoy.config.listener.v3.Listener.getDefaultInstance();
      case ROUTE -> io.envoyproxy.envoy.config.route.v3.RouteConfiguration.getDefaultInstance();
      case SECRET ->
          io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret.getDefaultInstance();
    };
  }
}
