package dev.trellis.render;

import com.hubspot.jinjava.interpret.InterpretException;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import java.util.Map;

/**
 * The {@code q} filter: writes a value as one JSON scalar or flow collection, which YAML reads back
 * as exactly that value. Strings are always double-quoted with every character outside printable
 * ASCII escaped, so no value can add lines, keys or list items to the rendered YAML.
 */
final class QuoteFilter implements Filter {

  static final String NAME = "q";

  @Override
  public String getName() {
    return NAME;
  }

  /** Thrown for a null value, which the template context never holds: the value is undefined. */
  static final class UndefinedValueException extends InterpretException {
    private static final long serialVersionUID = 1L;

    private final String expression;

    UndefinedValueException(String expression, int line) {
      super("undefined value in '" + expression + "'", line);
      this.expression = expression;
    }

    /** The expression being rendered, e.g. {@code dep.nme|q}. */
    String expression() {
      return expression;
    }
  }

  @Override
  public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
    if (var == null) {
      // Jinjava passes unknown variables to filters as null instead of failing.
      throw new UndefinedValueException(
          RenderTrace.currentExpression(), interpreter.getLineNumber());
    }
    StringBuilder out = new StringBuilder();
    write(var, out);
    return out.toString();
  }

  static String quote(Object value) {
    StringBuilder out = new StringBuilder();
    write(value, out);
    return out.toString();
  }

  private static void write(Object v, StringBuilder out) {
    if (v == null) {
      out.append("null");
    } else if (v instanceof Boolean || v instanceof Integer || v instanceof Long) {
      out.append(v);
    } else if (v instanceof Number n && Double.isFinite(n.doubleValue())) {
      out.append(n);
    } else if (v instanceof Map<?, ?> m) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        out.append(first ? "" : ", ");
        first = false;
        writeString(String.valueOf(e.getKey()), out);
        out.append(": ");
        write(e.getValue(), out);
      }
      out.append('}');
    } else if (v instanceof Iterable<?> items) {
      out.append('[');
      boolean first = true;
      for (Object item : items) {
        out.append(first ? "" : ", ");
        first = false;
        write(item, out);
      }
      out.append(']');
    } else {
      writeString(v.toString(), out);
    }
  }

  private static void writeString(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          // Escapes everything YAML might treat specially: controls, DEL, NEL, line separators.
          if (c < 0x20 || c >= 0x7f) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
