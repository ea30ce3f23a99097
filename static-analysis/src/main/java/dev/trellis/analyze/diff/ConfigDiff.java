package dev.trellis.analyze.diff;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.trellis.render.EnvoyTypes;
import dev.trellis.render.ProxyKind;
import dev.trellis.render.Redaction;
import dev.trellis.render.RenderedGroup;
import dev.trellis.render.RenderedMesh;
import dev.trellis.render.RenderedResource;
import dev.trellis.render.ResourceType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What changes in each proxy group's Envoy config between two renders of a mesh: groups and
 * resources added or removed, and for changed resources each changed field, compared as the JSON
 * form of the protos (typed_config expanded, Envoy's field names).
 */
public final class ConfigDiff {

  /** How a group or resource differs. */
  public enum Status {
    ADDED,
    REMOVED,
    CHANGED
  }

  /**
   * One resource that differs, named {@code <type plural>/<name>} (e.g. {@code routes/outbound}); a
   * changed one lists its changed fields.
   */
  public record ResourceChange(String resource, Status status, List<FieldChange> fields) {}

  /** One changed field: its path inside the resource, and the values before and after, shown. */
  public record FieldChange(String path, String before, String after) {}

  /** One group that differs, with its resources that differ, in type then name order. */
  public record GroupChange(
      String group, ProxyKind kind, Status status, List<ResourceChange> resources) {}

  private static final int MAX_VALUE = 200;

  /** What a change only in sensitive fields (keys, passwords) is shown as. */
  static final FieldChange SENSITIVE_CHANGE =
      new FieldChange("(sensitive fields)", Redaction.REDACTED, Redaction.REDACTED);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().usingTypeRegistry(EnvoyTypes.registry()).preservingProtoFieldNames();

  private final List<GroupChange> groups;
  private final int unchanged;

  private ConfigDiff(List<GroupChange> groups, int unchanged) {
    this.groups = List.copyOf(groups);
    this.unchanged = unchanged;
  }

  public static ConfigDiff between(RenderedMesh before, RenderedMesh after) {
    TreeSet<String> ids = new TreeSet<>(before.groups().keySet());
    ids.addAll(after.groups().keySet());
    List<GroupChange> changes = new ArrayList<>();
    int unchanged = 0;
    for (String id : ids) {
      RenderedGroup a = before.groups().get(id);
      RenderedGroup b = after.groups().get(id);
      Optional<GroupChange> change = group(id, a, b);
      if (change.isPresent()) {
        changes.add(change.get());
      } else {
        unchanged++;
      }
    }
    return new ConfigDiff(changes, unchanged);
  }

  public List<GroupChange> groups() {
    return groups;
  }

  public boolean isEmpty() {
    return groups.isEmpty();
  }

  private static Optional<GroupChange> group(String id, RenderedGroup a, RenderedGroup b) {
    Map<String, RenderedResource> before = resources(a);
    Map<String, RenderedResource> after = resources(b);
    TreeSet<String> keys = new TreeSet<>(ORDER);
    keys.addAll(before.keySet());
    keys.addAll(after.keySet());
    List<ResourceChange> out = new ArrayList<>();
    for (String key : keys) {
      RenderedResource ra = before.get(key);
      RenderedResource rb = after.get(key);
      if (ra == null) {
        out.add(new ResourceChange(key, Status.ADDED, List.of()));
      } else if (rb == null) {
        out.add(new ResourceChange(key, Status.REMOVED, List.of()));
      } else if (!ra.proto().equals(rb.proto())) {
        // Fields are compared as shown, secrets redacted: a changed key says so, not what it is.
        List<FieldChange> fields =
            JsonDiff.between(json(Redaction.redact(ra.proto())), json(Redaction.redact(rb.proto())))
                .stream()
                .map(c -> new FieldChange(c.path(), show(c.before()), show(c.after())))
                .toList();
        if (fields.isEmpty()) {
          fields = List.of(SENSITIVE_CHANGE);
        }
        out.add(new ResourceChange(key, Status.CHANGED, fields));
      }
    }
    if (a != null && b != null && out.isEmpty()) {
      return Optional.empty();
    }
    Status status = a == null ? Status.ADDED : b == null ? Status.REMOVED : Status.CHANGED;
    ProxyKind kind = (a != null ? a : b).group().kind();
    return Optional.of(new GroupChange(id, kind, status, out));
  }

  /** Resources of a group by {@code <type plural>/<name>}. */
  private static Map<String, RenderedResource> resources(RenderedGroup g) {
    Map<String, RenderedResource> out = new TreeMap<>();
    if (g != null) {
      g.resources().forEach(r -> out.put(key(r), r));
    }
    return out;
  }

  private static String key(RenderedResource r) {
    return r.type().plural() + "/" + r.name();
  }

  /** Resource keys in the order xDS types are sent (clusters first), then by name. */
  private static final Comparator<String> ORDER =
      Comparator.comparing((String k) -> typeOf(k).ordinal()).thenComparing(k -> k);

  private static ResourceType typeOf(String key) {
    String plural = key.substring(0, key.indexOf('/'));
    for (ResourceType t : ResourceType.values()) {
      if (t.plural().equals(plural)) {
        return t;
      }
    }
    throw new IllegalArgumentException("no resource type '" + plural + "'");
  }

  private static JsonNode json(Message proto) {
    try {
      return JSON.readTree(PRINTER.print(proto));
    } catch (InvalidProtocolBufferException | JsonProcessingException e) {
      throw new IllegalStateException("a rendered resource always prints as JSON", e);
    }
  }

  /** A value for one line: text as is, other values as compact JSON, long ones cut. */
  private static String show(JsonNode value) {
    if (value == null) {
      return "(none)";
    }
    String text = value.isTextual() ? value.asText() : value.toString();
    text = text.replace("\n", "\\n");
    return text.length() <= MAX_VALUE
        ? text
        : text.substring(0, MAX_VALUE) + "… (" + text.length() + " characters)";
  }

  /**
   * The diff as text that reads well in a terminal and in a {@code diff} code block: a hunk line
   * per group ({@code @@ payments (sidecar): 1 changed @@}), {@code +}/{@code -} for resources
   * added and removed, {@code ~} for each changed field, then a count line.
   */
  public String text() {
    StringBuilder out = new StringBuilder();
    int added = 0;
    int removed = 0;
    for (GroupChange g : groups) {
      switch (g.status()) {
        case ADDED -> added++;
        case REMOVED -> removed++;
        case CHANGED -> {}
      }
      out.append("@@ ")
          .append(g.group())
          .append(" (")
          .append(g.kind().name().toLowerCase(Locale.ROOT))
          .append("): ")
          .append(summary(g))
          .append(" @@\n");
      for (ResourceChange r : g.resources()) {
        switch (r.status()) {
          case ADDED -> out.append("+ ").append(r.resource()).append('\n');
          case REMOVED -> out.append("- ").append(r.resource()).append('\n');
          case CHANGED -> {
            for (FieldChange f : r.fields()) {
              out.append("~ ")
                  .append(r.resource())
                  .append(' ')
                  .append(f.path())
                  .append(": ")
                  .append(f.before())
                  .append(" → ")
                  .append(f.after())
                  .append('\n');
            }
          }
        }
      }
    }
    int changed = groups.size() - added - removed;
    if (groups.isEmpty()) {
      out.append("no changes in ")
          .append(unchanged)
          .append(plural(unchanged, " group"))
          .append('\n');
    } else {
      out.append(changed)
          .append(" changed, ")
          .append(added)
          .append(" added, ")
          .append(removed)
          .append(" removed, ")
          .append(unchanged)
          .append(" unchanged")
          .append(plural(groups.size() + unchanged, " group"))
          .append('\n');
    }
    return out.toString();
  }

  private static String summary(GroupChange g) {
    if (g.status() == Status.ADDED) {
      return "new group, " + g.resources().size() + plural(g.resources().size(), " resource");
    }
    if (g.status() == Status.REMOVED) {
      return "group removed, " + g.resources().size() + plural(g.resources().size(), " resource");
    }
    List<String> parts = new ArrayList<>();
    for (Status s : Status.values()) {
      long n = g.resources().stream().filter(r -> r.status() == s).count();
      if (n > 0) {
        parts.add(n + " " + s.name().toLowerCase(Locale.ROOT));
      }
    }
    return String.join(", ", parts);
  }

  private static String plural(long n, String word) {
    return n == 1 ? word : word + "s";
  }
}
