package dev.trellis.model.load;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The character sets definitions may use. They are narrow on purpose: a value must never be able to
 * change the structure of the YAML a template renders it into, whatever the quoting there.
 */
final class Syntax {

  /** A check of one string value; a problem reads after the quoted value, e.g. "is not ...". */
  @FunctionalInterface
  interface Rule {
    Optional<String> problem(String value);

    static Rule matching(Pattern pattern, String problem) {
      return v -> pattern.matcher(v).matches() ? Optional.empty() : Optional.of(problem);
    }
  }

  private static final String LABEL = "[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?";
  private static final Pattern HOSTNAME = Pattern.compile(LABEL + "(?:\\." + LABEL + ")*");
  private static final Pattern NUMERIC_LAST_LABEL = Pattern.compile("(?:.*\\.)?[0-9]+");
  private static final Pattern IPV4 =
      Pattern.compile(
          "(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}"
              + "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])");
  private static final int MAX_HOSTNAME = 253;
  private static final String PATH_CHARS =
      "letters, digits, '/', '-', '.', '_', '~' and %XX escapes";

  static final Rule DNS_LABEL =
      Rule.matching(
          Pattern.compile(LABEL),
          "is not a DNS label (lowercase letters, digits and '-', starting and ending with a"
              + " letter or digit, at most 63 characters)");

  static final Rule HOST =
      v ->
          isHostname(v)
              ? Optional.empty()
              : Optional.of("is not a valid hostname (" + hostnameHelp() + ")");

  /** An edge host: a hostname, or {@code *.} followed by one. */
  static final Rule EDGE_HOST =
      v ->
          isHostname(v.startsWith("*.") ? v.substring(2) : v)
              ? Optional.empty()
              : Optional.of(
                  "is not a valid hostname (" + hostnameHelp() + "; a leading '*.' is allowed)");

  static final Rule OWNER =
      Rule.matching(
          Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,127}"),
          "is not a valid owner (letters, digits, '.', '_', '@' and '-', starting with a letter"
              + " or digit, at most 128 characters)");

  static final Rule ZONE =
      Rule.matching(
          Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}"),
          "is not a valid zone (letters, digits, '.', '_' and '-', starting with a letter or"
              + " digit, at most 63 characters)");

  /** A route path prefix: absolute, and only unreserved characters, '/' and percent escapes. */
  static final Rule PATH_PREFIX = Syntax::pathProblem;

  private Syntax() {}

  /**
   * Whether {@code host} is a lowercase DNS name whose last label is not all digits, or an IPv4
   * address (so that {@code 10.0.0.300} or {@code 0} cannot pass as names).
   */
  static boolean isHostname(String host) {
    if (host.length() > MAX_HOSTNAME || !HOSTNAME.matcher(host).matches()) {
      return false;
    }
    return !NUMERIC_LAST_LABEL.matcher(host).matches() || IPV4.matcher(host).matches();
  }

  private static String hostnameHelp() {
    return "dot-separated labels of lowercase letters, digits and '-', the last not all digits,"
        + " or an IPv4 address";
  }

  private static Optional<String> pathProblem(String path) {
    if (!path.startsWith("/")) {
      return Optional.of("does not start with '/'");
    }
    if (path.length() > 1024) {
      return Optional.of("is longer than 1024 characters");
    }
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '%') {
        if (i + 2 < path.length() && isHex(path.charAt(i + 1)) && isHex(path.charAt(i + 2))) {
          i += 2;
          continue;
        }
        return Optional.of("has a '%' not followed by two hex digits");
      }
      if (!isPathChar(c)) {
        return Optional.of(
            "contains '" + show(path.codePointAt(i)) + "' (allowed: " + PATH_CHARS + ")");
      }
    }
    return Optional.empty();
  }

  private static boolean isPathChar(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '/'
        || c == '-'
        || c == '.'
        || c == '_'
        || c == '~';
  }

  private static boolean isHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  /** Text made one line: control and invisible characters escaped, everything else kept. */
  static String oneLine(String text) {
    StringBuilder out = new StringBuilder();
    text.codePoints()
        .forEach(c -> out.append(c == '\'' || c == '\\' ? Character.toString(c) : show(c)));
    return out.toString();
  }

  /** One code point as it may appear inside single quotes in a one-line message. */
  static String show(int c) {
    return switch (c) {
      case '\'' -> "\\'";
      case '\\' -> "\\\\";
      case '\t' -> "\\t";
      case '\n' -> "\\n";
      case '\r' -> "\\r";
      default ->
          Character.isISOControl(c)
                  || Character.getType(c) == Character.FORMAT
                  || Character.getType(c) == Character.LINE_SEPARATOR
                  || Character.getType(c) == Character.PARAGRAPH_SEPARATOR
                  || Character.getType(c) == Character.SURROGATE
              ? String.format("\\u%04X", c)
              : new String(Character.toChars(c));
    };
  }
}
