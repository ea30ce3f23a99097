package dev.trellis.render;

/**
 * Marks where resources start in a template, so each rendered resource can name its template line.
 *
 * <p>Templates render a YAML list, so every resource starts with a {@code "- "} at column 0. In
 * front of each such line of template text (outside tags, expressions, comments and raw blocks) we
 * insert {@code {% trellis_origin <id> <line> %}}, which renders nothing but records the line and
 * the definition in scope. The n-th record then belongs to the n-th rendered resource. No newline
 * is added, so Jinjava's line numbers stay those of the file. Best effort: a template that emits
 * list items some other way (from an expression, a captured block) gets no per-item lines.
 */
final class OriginMarkers {

  private OriginMarkers() {}

  static String inject(String source, int templateId) {
    StringBuilder out = new StringBuilder(source.length() + 256);
    int line = 1;
    boolean lineStart = true;
    String closer = null; // what ends the construct we are in: "}}", "%}", "#}" or endraw
    int i = 0;
    while (i < source.length()) {
      char c = source.charAt(i);
      if (closer == null) {
        if (lineStart && c == '-' && isItemStart(source, i)) {
          out.append("{% ")
              .append(RenderTrace.OriginTag.NAME)
              .append(' ')
              .append(templateId)
              .append(' ')
              .append(line)
              .append(" %}");
        }
        if (c == '{' && i + 1 < source.length()) {
          char n = source.charAt(i + 1);
          if (n == '{') {
            closer = "}}";
          } else if (n == '#') {
            closer = "#}";
          } else if (n == '%') {
            closer = isRaw(source, i) ? "endraw" : "%}";
          }
          if (closer != null) {
            out.append(c).append(n);
            i += 2;
            lineStart = false;
            continue;
          }
        }
      } else if (source.startsWith(closer, i)) {
        if (closer.equals("endraw")) {
          closer = "%}";
        } else {
          out.append(closer);
          i += closer.length();
          closer = null;
          lineStart = false;
          continue;
        }
      }
      out.append(c);
      if (c == '\n') {
        line++;
        lineStart = true;
      } else {
        lineStart = false;
      }
      i++;
    }
    return out.toString();
  }

  private static boolean isItemStart(String s, int i) {
    return i + 1 >= s.length() || s.charAt(i + 1) == ' ' || s.charAt(i + 1) == '\n';
  }

  private static boolean isRaw(String s, int i) {
    int j = i + 2;
    while (j < s.length() && (s.charAt(j) == '-' || s.charAt(j) == ' ')) {
      j++;
    }
    return s.startsWith("raw", j)
        && (j + 3 < s.length())
        && !Character.isLetterOrDigit(s.charAt(j + 3));
  }
}
