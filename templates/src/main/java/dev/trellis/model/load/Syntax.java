package dev.trellis.model.load;

import dev.trellis.model.CookieNames;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
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
  private static final Pattern ORIGIN_FORM =
      Pattern.compile("(https?)://([^:/]+)(?::([0-9]{1,5}))?");
  private static final Pattern FILE = Pattern.compile("/[A-Za-z0-9._/-]{1,1023}");
  private static final Pattern PREFIX = Pattern.compile("x-[a-z0-9-]{1,62}");
  private static final List<String> EDGE_SET_HEADERS =
      List.of("x-request-id", "x-forwarded-for", "x-forwarded-proto", "x-envoy-external-address");
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

  /** A Kubernetes service account's name: a DNS subdomain. */
  static final Rule SERVICE_ACCOUNT =
      v ->
          isHostname(v)
              ? Optional.empty()
              : Optional.of(
                  "is not a Kubernetes service-account name (a DNS subdomain: "
                      + hostnameHelp()
                      + ")");

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

  /** A response header value: printable ASCII and spaces, not starting or ending with a space. */
  static final Rule HEADER_VALUE =
      Rule.matching(
          Pattern.compile("[!-~](?:[ -~]{0,2046}[!-~])?"),
          "is not a header value (printable ASCII and spaces, not starting or ending with a"
              + " space, at most 2048 characters)");

  /** A browser origin for CORS, or {@code *} for any. */
  static final Rule ORIGIN =
      v -> {
        if (v.equals("*")) {
          return Optional.empty();
        }
        Matcher m = ORIGIN_FORM.matcher(v);
        return m.matches() && isHostname(m.group(2)) && portOk(m.group(3))
            ? Optional.empty()
            : Optional.of(
                "is not an origin (http:// or https:// and a lowercase hostname with an optional"
                    + " :port and no path, e.g. https://shop.example.com; or * for any)");
      };

  /** A CSRF source origin: a host and optional port, as Envoy compares them, without scheme. */
  static final Rule ORIGIN_HOST =
      v -> {
        int colon = v.lastIndexOf(':');
        String host = colon < 0 ? v : v.substring(0, colon);
        String port = colon < 0 ? null : v.substring(colon + 1);
        return isHostname(host.startsWith("*.") ? host.substring(2) : host) && portOk(port)
            ? Optional.empty()
            : Optional.of(
                "is not an origin host (a lowercase hostname with an optional :port and no"
                    + " scheme, e.g. partner.example.com; a leading '*.' is allowed)");
      };

  static final Rule HTTP_METHOD =
      Rule.matching(
          Pattern.compile("[A-Z]{1,20}"), "is not an HTTP method (upper-case letters, e.g. GET)");

  /** A request header name for CORS, or {@code *}. */
  static final Rule HEADER_NAME =
      Rule.matching(
          Pattern.compile("\\*|[A-Za-z0-9][A-Za-z0-9-]{0,63}"),
          "is not a header name (letters, digits and '-', starting with a letter or digit, at"
              + " most 64 characters; or *)");

  /** An absolute path on a proxy's disk. */
  static final Rule FILE_PATH =
      v ->
          FILE.matcher(v).matches() && !v.contains("/../") && !v.endsWith("/..")
              ? Optional.empty()
              : Optional.of(
                  "is not an absolute file path (starting with '/', of letters, digits, '.', '_',"
                      + " '-' and '/', without '..' segments)");

  /**
   * A prefix of request header names to remove from outside requests: lower case, starting with
   * {@code x-}, and not so short that it would also remove the headers the edge itself sets.
   */
  static final Rule INTERNAL_HEADER_PREFIX =
      v -> {
        if (!PREFIX.matcher(v).matches()) {
          return Optional.of(
              "is not a header name prefix (lowercase letters, digits and '-', starting with"
                  + " 'x-' and at least one more character, at most 64 characters)");
        }
        for (String kept : EDGE_SET_HEADERS) {
          if (kept.startsWith(v)) {
            return Optional.of("would also remove " + kept + ", which the edge sets itself");
          }
        }
        return Optional.empty();
      };

  /**
   * A cookie name's length only: its characters are checked against RFC 6265 by static analysis,
   * which reports each with its rule id, but an unbounded name would be copied into every edge
   * route.
   */
  static final Rule COOKIE_NAME =
      v ->
          v.length() > CookieNames.MAX_LENGTH
              ? Optional.of(CookieNames.tooLong())
              : Optional.empty();

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

  /** A port number 1-65535, or no port at all ({@code null}). */
  private static boolean portOk(String port) {
    if (port == null) {
      return true;
    }
    if (!port.matches("[0-9]{1,5}")) {
      return false;
    }
    int p = Integer.parseInt(port);
    return p >= 1 && p <= 65535;
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
