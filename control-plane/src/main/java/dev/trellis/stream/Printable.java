package dev.trellis.stream;

/** Client-supplied text made safe to log or echo: bounded in length, one printable line. */
final class Printable {

  static final int MAX = 64;

  private Printable() {}

  static String bounded(String text) {
    StringBuilder out = new StringBuilder(Math.min(text.length(), MAX) + 24);
    for (int i = 0; i < text.length() && i < MAX; i++) {
      char c = text.charAt(i);
      out.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    if (text.length() > MAX) {
      out.append("...(").append(text.length()).append(" chars)");
    }
    return out.toString();
  }
}
