package dev.trellis.model.load;

import dev.trellis.model.SourceLocation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Converts YAML nodes to typed values, reporting a wrong type or value at the node. Each method
 * returns empty after reporting, so callers simply skip what did not convert.
 */
final class Values {

  /** One element of a list with its field path, such as {@code edge.hosts[1]}. */
  record Item(String path, Node node) {}

  private static final Pattern INTEGER = Pattern.compile("[-+]?[0-9]{1,18}");
  private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})(ms|s|m|h)");
  private static final String DURATION_FORMAT =
      "a positive whole number followed by ms, s, m or h, e.g. 500ms, 2s, 1m";
  private static final int MAX_QUOTED = 64;
  private static final Set<Tag> SCALAR_TAGS =
      Set.of(Tag.STR, Tag.INT, Tag.FLOAT, Tag.BOOL, Tag.TIMESTAMP, Tag.NULL);

  private Values() {}

  static Optional<String> text(Source src, String path, Node node) {
    if (!(node instanceof ScalarNode scalar) || scalar.getTag().equals(Tag.NULL)) {
      src.invalid(node, path, "expected a string, got " + describe(node));
      return Optional.empty();
    }
    if (!isStandard(scalar.getTag())) {
      src.invalid(node, path, "unsupported YAML tag '" + quote(showTag(scalar.getTag())) + "'");
      return Optional.empty();
    }
    return Optional.of(scalar.getValue());
  }

  /** A string that must also satisfy {@code rule}, whose problem text follows the quoted value. */
  static Optional<String> text(Source src, String path, Node node, Syntax.Rule rule) {
    Optional<String> value = text(src, path, node);
    if (value.isEmpty()) {
      return value;
    }
    Optional<String> problem = rule.problem(value.get());
    if (problem.isPresent()) {
      src.invalid(node, path, "'" + quote(value.get()) + "' " + problem.get());
      return Optional.empty();
    }
    return value;
  }

  static Optional<Integer> integer(Source src, String path, Node node, int min, int max) {
    if (!(node instanceof ScalarNode scalar)
        || !scalar.getTag().equals(Tag.INT)
        || !INTEGER.matcher(scalar.getValue()).matches()) {
      src.invalid(node, path, "expected an integer, got " + describeFor(node, INTEGER));
      return Optional.empty();
    }
    long value = Long.parseLong(scalar.getValue());
    if (value < min || value > max) {
      src.invalid(node, path, value + " is out of range (" + min + "-" + max + ")");
      return Optional.empty();
    }
    return Optional.of((int) value);
  }

  static Optional<Boolean> bool(Source src, String path, Node node) {
    if (node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.BOOL)) {
      switch (scalar.getValue()) {
        case "true":
          return Optional.of(true);
        case "false":
          return Optional.of(false);
        default:
          break;
      }
    }
    src.invalid(
        node,
        path,
        "expected true or false, got " + describeFor(node, Pattern.compile("true|false")));
    return Optional.empty();
  }

  /** One of the constants of {@code type}, written in lower case. */
  static <E extends Enum<E>> Optional<E> choice(Source src, String path, Node node, Class<E> type) {
    String allowed =
        Arrays.stream(type.getEnumConstants())
            .map(e -> e.name().toLowerCase(Locale.ROOT))
            .collect(Collectors.joining(", "));
    if (!(node instanceof ScalarNode scalar) || scalar.getTag().equals(Tag.NULL)) {
      src.invalid(node, path, "expected one of: " + allowed + "; got " + describe(node));
      return Optional.empty();
    }
    Optional<String> value = text(src, path, node);
    if (value.isEmpty()) {
      return Optional.empty();
    }
    for (E e : type.getEnumConstants()) {
      if (e.name().toLowerCase(Locale.ROOT).equals(value.get())) {
        return Optional.of(e);
      }
    }
    src.invalid(
        node,
        path,
        "invalid value '"
            + quote(value.get())
            + "' (expected one of: "
            + allowed
            + Suggestions.hint(
                value.get(),
                Arrays.stream(type.getEnumConstants())
                    .map(e -> e.name().toLowerCase(Locale.ROOT))
                    .toList())
            + ")");
    return Optional.empty();
  }

  static Optional<Duration> duration(Source src, String path, Node node) {
    Optional<String> value = text(src, path, node);
    if (value.isEmpty()) {
      return Optional.empty();
    }
    Matcher m = DURATION.matcher(value.get());
    long amount = m.matches() ? Long.parseLong(m.group(1)) : 0;
    if (amount == 0) {
      src.invalid(
          node, path, "'" + quote(value.get()) + "' is not a duration (" + DURATION_FORMAT + ")");
      return Optional.empty();
    }
    return Optional.of(
        switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(amount);
          case "s" -> Duration.ofSeconds(amount);
          case "m" -> Duration.ofMinutes(amount);
          default -> Duration.ofHours(amount);
        });
  }

  /** The elements of a list, each recorded at its indexed path. */
  static Optional<List<Item>> items(Source src, String path, Node node) {
    if (!(node instanceof SequenceNode seq)) {
      src.invalid(node, path, "expected a list, got " + describe(node));
      return Optional.empty();
    }
    List<Item> items = new ArrayList<>();
    for (Node element : seq.getValue()) {
      Item item = new Item(path + "[" + items.size() + "]", element);
      src.read(item.path(), element);
      items.add(item);
    }
    return Optional.of(items);
  }

  /** Like {@link #items} but reports an empty list. */
  static Optional<List<Item>> nonEmptyItems(Source src, String path, Node node) {
    Optional<List<Item>> items = items(src, path, node);
    if (items.isPresent() && items.get().isEmpty()) {
      src.invalid(node, path, "must not be empty");
      return Optional.empty();
    }
    return items;
  }

  /**
   * A list of distinct strings, each satisfying {@code rule}; empty after reporting any problem.
   *
   * @param what the kind of element, for the duplicate message (e.g. {@code host})
   * @param allowEmpty whether an empty list is valid
   */
  static Optional<List<String>> distinctList(
      Source src, String path, Node node, String what, Syntax.Rule rule, boolean allowEmpty) {
    Optional<List<Item>> items =
        allowEmpty ? items(src, path, node) : nonEmptyItems(src, path, node);
    if (items.isEmpty()) {
      return Optional.empty();
    }
    List<String> out = new ArrayList<>();
    Map<String, SourceLocation> seen = new HashMap<>();
    boolean ok = true;
    for (Item item : items.get()) {
      Optional<String> value = text(src, item.path(), item.node(), rule);
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
                + quote(value.get())
                + "' (first at "
                + position(first, src.at(item.node()))
                + ")");
        ok = false;
        continue;
      }
      out.add(value.get());
    }
    return ok ? Optional.of(out) : Optional.empty();
  }

  /**
   * Whether a mapping key can name a field: a scalar that is not null and not explicitly tagged.
   */
  static boolean isName(ScalarNode key) {
    return !key.getTag().equals(Tag.NULL) && isStandard(key.getTag());
  }

  /** How a node reads in an error message: its kind, or its quoted text for a scalar. */
  static String describe(Node node) {
    if (node instanceof MappingNode) {
      return "a mapping";
    }
    if (node instanceof SequenceNode) {
      return "a list";
    }
    ScalarNode scalar = (ScalarNode) node;
    if (scalar.getTag().equals(Tag.NULL)) {
      return "an empty value";
    }
    return "'" + quote(scalar.getValue()) + "'";
  }

  /** Like {@link #describe}, pointing out a string that would be valid as a plain scalar. */
  private static String describeFor(Node node, Pattern valid) {
    if (node instanceof ScalarNode scalar
        && scalar.getTag().equals(Tag.STR)
        && valid.matcher(scalar.getValue()).matches()) {
      return scalar.isPlain()
          ? "the string '" + quote(scalar.getValue()) + "' (tagged !!str)"
          : "the quoted string '" + quote(scalar.getValue()) + "' (remove the quotes)";
    }
    return describe(node);
  }

  /**
   * Where an earlier occurrence is, said from a later one: its line, or its column when both are on
   * one line.
   */
  static String position(SourceLocation first, SourceLocation later) {
    return first.line() == later.line() ? "column " + first.column() : "line " + first.line();
  }

  /** User text made safe to show inside single quotes on one line. */
  static String quote(String s) {
    StringBuilder out = new StringBuilder();
    int shown = 0;
    for (int i = 0; i < s.length(); ) {
      int c = s.codePointAt(i);
      i += Character.charCount(c);
      if (shown++ == MAX_QUOTED) {
        out.append("...");
        break;
      }
      out.append(Syntax.show(c));
    }
    return out.toString();
  }

  /** The tags plain YAML scalars resolve to; others (custom, !!binary, ...) are not accepted. */
  private static boolean isStandard(Tag tag) {
    return SCALAR_TAGS.contains(tag);
  }

  private static String showTag(Tag tag) {
    return tag.getValue().startsWith(Tag.PREFIX)
        ? "!!" + tag.getValue().substring(Tag.PREFIX.length())
        : tag.getValue();
  }
}
