package dev.trellis.render;

import com.google.common.hash.HashCode;
import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import dev.trellis.model.SourceLocation;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * A 128-bit hash of template context values (the plain maps, lists and scalars {@link RenderModel}
 * builds), canonical: equal contexts, in the same iteration order, with the same definition
 * locations, hash equal in every process. Every value is tagged with its kind and length, so
 * different structures never meet by concatenation. A value of a kind not listed here is an error
 * rather than silently left out of the hash.
 */
final class ContextHash {

  private ContextHash() {}

  static HashCode of(Object... values) {
    Hasher h = Hashing.murmur3_128().newHasher();
    for (Object v : values) {
      put(h, v);
    }
    return h.hash();
  }

  private static void put(Hasher h, Object v) {
    if (v instanceof String s) {
      h.putByte((byte) 's').putInt(s.length()).putUnencodedChars(s);
    } else if (v instanceof Boolean b) {
      h.putByte((byte) 'b').putBoolean(b);
    } else if (v instanceof Integer i) {
      h.putByte((byte) 'i').putInt(i);
    } else if (v instanceof Long l) {
      h.putByte((byte) 'l').putLong(l);
    } else if (v instanceof Double
        || v instanceof Float
        || v instanceof Short
        || v instanceof Byte
        || v instanceof BigDecimal
        || v instanceof BigInteger) {
      String text = v.getClass().getSimpleName() + ":" + v;
      h.putByte((byte) 'n').putInt(text.length()).putUnencodedChars(text);
    } else if (v instanceof DefinitionMap d) {
      // Resources rendered in a definition's scope point at its location: part of the output.
      h.putByte((byte) 'd');
      put(h, d.location());
      putEntries(h, d);
    } else if (v instanceof Map<?, ?> m) {
      h.putByte((byte) 'm');
      putEntries(h, m);
    } else if (v instanceof List<?> list) {
      h.putByte((byte) '[').putInt(list.size());
      for (Object item : list) {
        put(h, item);
      }
    } else if (v instanceof SourceLocation loc) {
      h.putByte((byte) '@');
      put(h, loc.file());
      h.putInt(loc.line()).putInt(loc.column());
    } else {
      throw new IllegalArgumentException(
          "template context value of unexpected kind "
              + (v == null ? "null" : v.getClass().getName())
              + ": teach ContextHash about it");
    }
  }

  /** Entries in iteration order: templates iterate maps in that order. */
  private static void putEntries(Hasher h, Map<?, ?> m) {
    h.putInt(m.size());
    for (Map.Entry<?, ?> e : m.entrySet()) {
      put(h, e.getKey());
      put(h, e.getValue());
    }
  }
}
