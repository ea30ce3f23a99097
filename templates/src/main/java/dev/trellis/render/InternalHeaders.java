package dev.trellis.render;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The edge's removal of internal headers from outside requests: an Envoy Lua HTTP filter, first in
 * the edge's chain, removing every request header whose name starts with the gateway's {@code
 * internalHeaderPrefix}. Envoy itself can only remove exact names.
 */
public final class InternalHeaders {

  /** Classpath resource holding the Lua script, without its first line (see {@link #script}). */
  public static final String RESOURCE = "trellis/lua/strip_internal_headers.lua";

  /**
   * Name of the HTTP filter; distinct from the cookie monitor's, whose route metadata lives under
   * the Lua filter's canonical name.
   */
  public static final String FILTER_NAME = "trellis.strip_internal_headers";

  private static final String BODY = load();

  private InternalHeaders() {}

  /** The Lua source for {@code prefix}: a line setting {@code PREFIX}, then the script. */
  public static String script(String prefix) {
    return "local PREFIX = " + luaString(prefix.toLowerCase(Locale.ROOT)) + "\n" + BODY;
  }

  /** A Lua string literal of {@code s}; bytes outside printable ASCII as decimal escapes. */
  static String luaString(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xFF;
      if (c == '"' || c == '\\') {
        out.append('\\').append((char) c);
      } else if (c < 0x20 || c >= 0x7F) {
        out.append('\\').append(String.format("%03d", c));
      } else {
        out.append((char) c);
      }
    }
    return out.append('"').toString();
  }

  private static String load() {
    try (InputStream in = InternalHeaders.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("Missing classpath resource " + RESOURCE);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read classpath resource " + RESOURCE, e);
    }
  }
}
