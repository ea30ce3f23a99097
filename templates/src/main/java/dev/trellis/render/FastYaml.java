package dev.trellis.render;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A fast reader for the plain subset of YAML that templates render: block mappings and sequences,
 * one-line flow collections, one-line quoted scalars, comments. It gives the tree Jackson's YAML
 * reader would give, or null for anything outside the subset or in doubt (anchors, tags, block
 * scalars, multi-line scalars, YAML 1.1 oddities such as {@code yes} or {@code 0x1F}), and the
 * caller then uses Jackson. Parsing YAML with SnakeYAML is the largest cost of rendering; this
 * reader is many times faster on rendered output.
 */
final class FastYaml {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Pattern INT = Pattern.compile("-?(0|[1-9][0-9]{0,17})");
  private static final Pattern FLOAT = Pattern.compile("-?(0|[1-9][0-9]{0,14})\\.[0-9]{1,15}");

  /**
   * Digit-led strings that no YAML number or timestamp form matches: dotted addresses and versions,
   * durations such as {@code 1.5s}.
   */
  private static final Pattern DIGIT_STRING =
      Pattern.compile("[0-9]+(\\.[0-9]+){2,}|[0-9]+(\\.[0-9]+)?(s|ms|us|ns|m|h)");

  /** Words some YAML versions read as booleans or null; only the lower-case JSON ones are kept. */
  private static final Set<String> SPECIAL_WORDS =
      Set.of("y", "n", "yes", "no", "on", "off", "true", "false", "null");

  /** Thrown inside the reader to give up; never escapes {@link #parse}. */
  private static final class NotInSubset extends Exception {
    private static final long serialVersionUID = 1L;
    static final NotInSubset INSTANCE = new NotInSubset();

    private NotInSubset() {
      super(null, null, false, false);
    }
  }

  private record Line(int indent, String text) {}

  private final List<Line> lines;
  private int next;

  private FastYaml(List<Line> lines) {
    this.lines = lines;
  }

  /** The document's tree as Jackson would read it, or null to let Jackson read it. */
  static JsonNode parse(String text) {
    try {
      FastYaml y = new FastYaml(lines(text));
      if (y.lines.isEmpty()) {
        return null; // empty documents: leave Jackson's answer (missing/null) to Jackson
      }
      JsonNode root = y.block(y.lines.get(0).indent());
      if (y.next != y.lines.size()) {
        throw NotInSubset.INSTANCE;
      }
      return root;
    } catch (NotInSubset e) {
      return null;
    }
  }

  /** Lines with content, comments and trailing blanks removed. */
  private static List<Line> lines(String text) throws NotInSubset {
    List<Line> out = new ArrayList<>();
    int start = 0;
    int n = text.length();
    while (start <= n) {
      int end = text.indexOf('\n', start);
      if (end < 0) {
        end = n;
      }
      int indent = 0;
      while (start + indent < end && text.charAt(start + indent) == ' ') {
        indent++;
      }
      String content = stripComment(text, start + indent, end);
      if (!content.isEmpty()) {
        if (out.isEmpty() && (content.startsWith("---") || content.startsWith("%"))) {
          throw NotInSubset.INSTANCE;
        }
        out.add(new Line(indent, content));
      }
      start = end + 1;
    }
    return out;
  }

  private static String stripComment(String text, int from, int to) throws NotInSubset {
    boolean inDouble = false;
    boolean inSingle = false;
    int end = to;
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        // Tabs, CR, controls and non-ASCII (NEL and line separators break lines in YAML 1.1).
        throw NotInSubset.INSTANCE;
      }
      if (inDouble) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          inDouble = false;
        }
      } else if (inSingle) {
        if (c == '\'') {
          inSingle = false;
        }
      } else if (c == '"') {
        inDouble = true;
      } else if (c == '\'') {
        inSingle = true;
      } else if (c == '#' && (i == from || text.charAt(i - 1) == ' ')) {
        end = i;
        break;
      }
    }
    while (end > from && text.charAt(end - 1) == ' ') {
      end--;
    }
    return text.substring(from, end);
  }

  private Line current() {
    return next < lines.size() ? lines.get(next) : null;
  }

  private static boolean isItem(String text) {
    return text.equals("-") || text.startsWith("- ");
  }

  private JsonNode block(int indent) throws NotInSubset {
    Line line = current();
    if (line == null || line.indent() != indent) {
      throw NotInSubset.INSTANCE;
    }
    return isItem(line.text()) ? sequence(indent) : mapping(indent);
  }

  private ArrayNode sequence(int indent) throws NotInSubset {
    ArrayNode out = NODES.arrayNode();
    for (Line line = current();
        line != null && line.indent() == indent && isItem(line.text());
        line = current()) {
      String text = line.text();
      int pad = 1;
      while (pad < text.length() && text.charAt(pad) == ' ') {
        pad++;
      }
      String rest = text.substring(pad);
      if (rest.isEmpty()) {
        next++;
        out.add(nested(indent, false));
      } else if (isItem(rest)) {
        throw NotInSubset.INSTANCE; // "- - x"
      } else if (keyEnd(rest) >= 0) {
        // "- key: value": a mapping whose entries line up with "key".
        lines.set(next, new Line(indent + pad, rest));
        out.add(mapping(indent + pad));
      } else {
        next++;
        out.add(inline(rest));
        noDeeperLine(indent);
      }
    }
    return out;
  }

  private ObjectNode mapping(int indent) throws NotInSubset {
    ObjectNode out = NODES.objectNode();
    for (Line line = current();
        line != null && line.indent() == indent && !isItem(line.text());
        line = current()) {
      String text = line.text();
      int colon = keyEnd(text);
      if (colon < 0) {
        throw NotInSubset.INSTANCE;
      }
      String key = key(text.substring(0, colon));
      if (out.has(key)) {
        throw NotInSubset.INSTANCE;
      }
      String rest = text.substring(colon + 1).strip();
      next++;
      if (rest.isEmpty()) {
        out.set(key, nested(indent, true));
      } else {
        out.set(key, inline(rest));
        noDeeperLine(indent);
      }
    }
    return out;
  }

  /**
   * The value on the lines after a key or dash with nothing after it: a deeper block, a sequence at
   * the key's own indentation (allowed for mapping values), or null.
   */
  private JsonNode nested(int indent, boolean sameIndentSequence) throws NotInSubset {
    Line line = current();
    if (line != null && line.indent() > indent) {
      return block(line.indent());
    }
    if (sameIndentSequence && line != null && line.indent() == indent && isItem(line.text())) {
      return sequence(indent);
    }
    return NODES.nullNode();
  }

  private void noDeeperLine(int indent) throws NotInSubset {
    Line line = current();
    if (line != null && line.indent() > indent) {
      throw NotInSubset.INSTANCE; // a multi-line scalar or a misplaced block
    }
  }

  /** Index of the ':' ending a block mapping key at the start of {@code text}, or -1. */
  private static int keyEnd(String text) throws NotInSubset {
    char first = text.charAt(0);
    if (first == '"' || first == '\'') {
      int close = quotedEnd(text, 0);
      if (close + 1 < text.length()
          && text.charAt(close + 1) == ':'
          && (close + 2 == text.length() || text.charAt(close + 2) == ' ')) {
        return close + 1;
      }
      return -1;
    }
    if (first == '{' || first == '[') {
      return -1;
    }
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == ':' && (i + 1 == text.length() || text.charAt(i + 1) == ' ')) {
        return i;
      }
    }
    return -1;
  }

  private static String key(String raw) throws NotInSubset {
    String k = raw.strip();
    if (k.isEmpty()) {
      throw NotInSubset.INSTANCE;
    }
    char first = k.charAt(0);
    if (first == '"' || first == '\'') {
      if (quotedEnd(k, 0) != k.length() - 1) {
        throw NotInSubset.INSTANCE;
      }
      return unquote(k);
    }
    if (k.equalsIgnoreCase("null")) {
      throw NotInSubset.INSTANCE; // how a null key is named is Jackson's business
    }
    checkPlain(k, false);
    return k;
  }

  /** A value written on one line: flow collection, quoted or plain scalar. */
  private static JsonNode inline(String text) throws NotInSubset {
    char first = text.charAt(0);
    if (first == '{' || first == '[') {
      Flow f = new Flow(text);
      JsonNode v = f.value();
      if (f.pos != text.length()) {
        throw NotInSubset.INSTANCE;
      }
      return v;
    }
    if (first == '"' || first == '\'') {
      if (quotedEnd(text, 0) != text.length() - 1) {
        throw NotInSubset.INSTANCE;
      }
      return NODES.textNode(unquote(text));
    }
    return plain(text, false);
  }

  /** A plain scalar, typed as Jackson types it, or not in the subset if that is in doubt. */
  private static JsonNode plain(String s, boolean flow) throws NotInSubset {
    if (s.equals("null") || s.equals("~")) {
      return NODES.nullNode();
    }
    if (s.equals("true") || s.equals("false")) {
      return NODES.booleanNode(s.equals("true"));
    }
    char first = s.charAt(0);
    if (first == '-' || (first >= '0' && first <= '9')) {
      if (INT.matcher(s).matches() && !s.equals("-0")) {
        long v = Long.parseLong(s);
        return v == (int) v ? NODES.numberNode((int) v) : NODES.numberNode(v);
      }
      if (FLOAT.matcher(s).matches()) {
        return NODES.numberNode(Double.parseDouble(s));
      }
      if (!DIGIT_STRING.matcher(s).matches()) {
        throw NotInSubset.INSTANCE;
      }
    } else if (SPECIAL_WORDS.contains(s.toLowerCase(Locale.ROOT))) {
      throw NotInSubset.INSTANCE;
    }
    checkPlain(s, flow);
    return NODES.textNode(s);
  }

  /** Plain scalars that are certainly strings: no indicator first, no ": " or " #" inside. */
  private static void checkPlain(String s, boolean flow) throws NotInSubset {
    char first = s.charAt(0);
    boolean letterOrDigit =
        (first >= 'a' && first <= 'z')
            || (first >= 'A' && first <= 'Z')
            || (first >= '0' && first <= '9');
    if (!(letterOrDigit || first == '/' || first == '_')) {
      throw NotInSubset.INSTANCE;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if ((c == ':' && (i + 1 == s.length() || s.charAt(i + 1) == ' '))
          || (c == '#' && s.charAt(i - 1) == ' ')
          || (flow && (c == ',' || c == '[' || c == ']' || c == '{' || c == '}'))) {
        throw NotInSubset.INSTANCE;
      }
    }
  }

  /** Index of the closing quote of the quoted scalar starting at {@code from}. */
  private static int quotedEnd(String s, int from) throws NotInSubset {
    char q = s.charAt(from);
    for (int i = from + 1; i < s.length(); i++) {
      char c = s.charAt(i);
      if (q == '"' && c == '\\') {
        i++;
      } else if (c == q) {
        if (q == '\'' && i + 1 < s.length() && s.charAt(i + 1) == '\'') {
          i++;
        } else {
          return i;
        }
      }
    }
    throw NotInSubset.INSTANCE;
  }

  private static String unquote(String s) throws NotInSubset {
    String body = s.substring(1, s.length() - 1);
    if (s.charAt(0) == '\'') {
      return body.replace("''", "'");
    }
    if (body.indexOf('\\') < 0) {
      return body;
    }
    StringBuilder out = new StringBuilder(body.length());
    for (int i = 0; i < body.length(); i++) {
      char c = body.charAt(i);
      if (c != '\\') {
        out.append(c);
        continue;
      }
      if (++i == body.length()) {
        throw NotInSubset.INSTANCE;
      }
      char e = body.charAt(i);
      switch (e) {
        case '"', '\\' -> out.append(e);
        case 'n' -> out.append('\n');
        case 't' -> out.append('\t');
        case 'r' -> out.append('\r');
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'u' -> {
          out.append((char) hex(body, i + 1, 4));
          i += 4;
        }
        default -> throw NotInSubset.INSTANCE;
      }
    }
    return out.toString();
  }

  private static int hex(String s, int from, int digits) throws NotInSubset {
    if (from + digits > s.length()) {
      throw NotInSubset.INSTANCE;
    }
    int v = 0;
    for (int i = from; i < from + digits; i++) {
      int d = Character.digit(s.charAt(i), 16);
      if (d < 0) {
        throw NotInSubset.INSTANCE;
      }
      v = v * 16 + d;
    }
    return v;
  }

  /** A one-line flow collection: {@code {k: v, ...}} or {@code [v, ...]}. */
  private static final class Flow {
    private final String s;
    private int pos;

    Flow(String s) {
      this.s = s;
    }

    JsonNode value() throws NotInSubset {
      skipSpaces();
      if (pos >= s.length()) {
        throw NotInSubset.INSTANCE;
      }
      char c = s.charAt(pos);
      if (c == '{') {
        return object();
      }
      if (c == '[') {
        return array();
      }
      if (c == '"' || c == '\'') {
        int close = quotedEnd(s, pos);
        String text = unquote(s.substring(pos, close + 1));
        pos = close + 1;
        return NODES.textNode(text);
      }
      int start = pos;
      while (pos < s.length() && ",]}".indexOf(s.charAt(pos)) < 0) {
        if (s.charAt(pos) == ':' && (pos + 1 == s.length() || s.charAt(pos + 1) == ' ')) {
          break;
        }
        pos++;
      }
      String text = s.substring(start, pos).strip();
      if (text.isEmpty()) {
        throw NotInSubset.INSTANCE;
      }
      return plain(text, true);
    }

    private ObjectNode object() throws NotInSubset {
      ObjectNode out = NODES.objectNode();
      pos++;
      skipSpaces();
      if (peek() == '}') {
        pos++;
        return out;
      }
      while (true) {
        skipSpaces();
        JsonNode k = value();
        if (!k.isTextual() || peek() != ':') {
          throw NotInSubset.INSTANCE;
        }
        String key = k.asText();
        pos++;
        if (pos >= s.length() || s.charAt(pos) != ' ') {
          throw NotInSubset.INSTANCE;
        }
        if (out.has(key)) {
          throw NotInSubset.INSTANCE;
        }
        out.set(key, value());
        skipSpaces();
        char c = peek();
        pos++;
        if (c == '}') {
          return out;
        }
        if (c != ',') {
          throw NotInSubset.INSTANCE;
        }
      }
    }

    private ArrayNode array() throws NotInSubset {
      ArrayNode out = NODES.arrayNode();
      pos++;
      skipSpaces();
      if (peek() == ']') {
        pos++;
        return out;
      }
      while (true) {
        JsonNode v = value();
        skipSpaces();
        if (peek() == ':') {
          throw NotInSubset.INSTANCE; // [a: b] is a one-entry mapping in YAML
        }
        out.add(v);
        char c = peek();
        pos++;
        if (c == ']') {
          return out;
        }
        if (c != ',') {
          throw NotInSubset.INSTANCE;
        }
      }
    }

    private char peek() {
      return pos < s.length() ? s.charAt(pos) : '\0';
    }

    private void skipSpaces() {
      while (pos < s.length() && s.charAt(pos) == ' ') {
        pos++;
      }
    }
  }
}
