package dev.trellis.analyze.envoy;

import com.google.common.net.InetAddresses;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.regex.Pattern;

/** The well-known string formats of protoc-gen-validate, with its definitions. */
final class Formats {

  static final Pattern HTTP_HEADER_NAME = Pattern.compile("^:?[0-9a-zA-Z!#$%&'*+-.^_|~`]+$");
  static final Pattern HTTP_HEADER_VALUE =
      Pattern.compile("^[^\\u0000-\\u0008\\u000A-\\u001F\\u007F]*$");

  /** What non-strict header validation keeps out: NUL, LF and CR. */
  static final Pattern HEADER_STRING = Pattern.compile("^[^\\u0000\\u000A\\u000D]*$");

  private static final Pattern UUID =
      Pattern.compile(
          "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");

  private Formats() {}

  static boolean hostname(String s) {
    String h = s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    if (h.isEmpty() || h.length() > 253) {
      return false;
    }
    for (String label : h.split("\\.", -1)) {
      if (label.isEmpty()
          || label.length() > 63
          || label.startsWith("-")
          || label.endsWith("-")
          || !label.chars().allMatch(c -> c < 128 && (Character.isLetterOrDigit(c) || c == '-'))) {
        return false;
      }
    }
    return true;
  }

  static boolean ip(String s) {
    return InetAddresses.isInetAddress(s);
  }

  static boolean ipv4(String s) {
    return ip(s) && !s.contains(":");
  }

  static boolean ipv6(String s) {
    return ip(s) && s.contains(":");
  }

  static boolean address(String s) {
    return ip(s) || hostname(s);
  }

  static boolean email(String s) {
    String addr = s;
    int lt = s.indexOf('<');
    if (lt >= 0 && s.endsWith(">")) {
      addr = s.substring(lt + 1, s.length() - 1);
    }
    int at = addr.lastIndexOf('@');
    if (at <= 0 || addr.length() > 254) {
      return false;
    }
    String local = addr.substring(0, at);
    return local.length() <= 64 && !local.contains(" ") && hostname(addr.substring(at + 1));
  }

  static boolean uri(String s) {
    try {
      return new URI(s).isAbsolute();
    } catch (URISyntaxException e) {
      return false;
    }
  }

  static boolean uriRef(String s) {
    try {
      new URI(s);
      return true;
    } catch (URISyntaxException e) {
      return false;
    }
  }

  static boolean uuid(String s) {
    return UUID.matcher(s).matches();
  }
}
