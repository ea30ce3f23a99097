package dev.trellis.analyze.clients;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Release numbers as clients report them, compared part by part. */
final class Versions {

  private static final Pattern DOTTED = Pattern.compile("\\d{1,9}(?:\\.\\d{1,9}){1,3}");

  private Versions() {}

  /**
   * The last dotted release number in a {@code user_agent_version}: C-core under Python reports
   * {@code "C-core 29.0.0 Python 1.51.1"}, whose gRPC release is the wrapper's.
   */
  static Optional<String> release(String userAgentVersion) {
    Matcher m = DOTTED.matcher(userAgentVersion.length() > 200 ? "" : userAgentVersion);
    String last = null;
    while (m.find()) {
      last = m.group();
    }
    return Optional.ofNullable(last);
  }

  /** Negative, zero or positive as {@code a} is older than, the same as or newer than {@code b}. */
  static int compare(String a, String b) {
    String[] x = a.split("\\.");
    String[] y = b.split("\\.");
    for (int i = 0; i < Math.max(x.length, y.length); i++) {
      long p = i < x.length ? Long.parseLong(x[i]) : 0;
      long q = i < y.length ? Long.parseLong(y[i]) : 0;
      if (p != q) {
        return Long.compare(p, q);
      }
    }
    return 0;
  }
}
