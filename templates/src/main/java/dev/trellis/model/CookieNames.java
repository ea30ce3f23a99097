package dev.trellis.model;

import java.util.Optional;

/**
 * Cookie names as RFC 6265 section 4.1.1 defines them: a {@code token} of RFC 2616 section 2.2,
 * that is one or more US-ASCII characters that are neither controls nor separators.
 *
 * <p>Names are case-sensitive, so {@code Session} and {@code session} are two cookies; nothing here
 * folds case.
 */
public final class CookieNames {

  /**
   * The longest name accepted. RFC 6265 sets none, but browsers keep a whole cookie within about
   * 4096 bytes, and every name is copied into each edge route's config: without a bound one name
   * could make a config of any size.
   */
  public static final int MAX_LENGTH = 256;

  private static final String SEPARATORS = "()<>@,;:\\\"/[]?={} \t";

  private CookieNames() {}

  /** Whether {@code name} is a valid cookie name. */
  public static boolean isValid(String name) {
    return problem(name).isEmpty();
  }

  /**
   * Why {@code name} is not a valid cookie name, as a phrase to follow the name in an error message
   * (e.g. {@code contains separator ' ' (U+0020) at index 3}), or empty if it is valid.
   */
  public static Optional<String> problem(String name) {
    if (name == null || name.isEmpty()) {
      return Optional.of("is empty");
    }
    if (name.length() > MAX_LENGTH) {
      return Optional.of(tooLong());
    }
    for (int i = 0; i < name.length(); ) {
      int c = name.codePointAt(i);
      String what = invalidCharacter(c);
      if (what != null) {
        return Optional.of("contains " + what + " at index " + i);
      }
      i += Character.charCount(c);
    }
    return Optional.empty();
  }

  /** The problem of a name over {@link #MAX_LENGTH}, as {@link #problem} words it. */
  public static String tooLong() {
    return "is longer than " + MAX_LENGTH + " characters";
  }

  /** Describes {@code c} if a cookie name cannot contain it, else null. */
  private static String invalidCharacter(int c) {
    if (c < 0x20 || c == 0x7F) {
      return "control character " + code(c);
    }
    if (c > 0x7F) {
      return "non-ASCII character '" + Character.toString(c) + "' (" + code(c) + ")";
    }
    if (SEPARATORS.indexOf(c) >= 0) {
      return "separator '" + Character.toString(c) + "' (" + code(c) + ")";
    }
    return null;
  }

  private static String code(int c) {
    return String.format("U+%04X", c);
  }
}
