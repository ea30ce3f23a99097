package dev.trellis.render;

import dev.trellis.model.SourceLocation;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Whether two template context values (the plain maps, lists and scalars {@link RenderModel}
 * builds) are the same input to a template: equal in content, maps in the same iteration order,
 * definition-backed values at the same definition location. Exact, no hashing: a value kept from
 * the previous render is compared with the new one, most of it by identity of interned keys and by
 * string content. A value of a kind not listed here is an error rather than compared loosely.
 */
final class SameContext {

  private SameContext() {}

  static boolean same(Object a, Object b) {
    if (a == b) {
      return true;
    }
    if (a == null || b == null) {
      throw unexpected(a == null ? b : a, null);
    }
    if (a instanceof String
        || a instanceof Boolean
        || a instanceof Integer
        || a instanceof Long
        || a instanceof Double
        || a instanceof Float
        || a instanceof Short
        || a instanceof Byte
        || a instanceof BigDecimal
        || a instanceof BigInteger
        || a instanceof SourceLocation) {
      // Same class too: 1 and 1L, or 1.0 and 1.00 (BigDecimal) print differently.
      return a.getClass() == b.getClass() && a.equals(b);
    }
    if (a instanceof DefinitionMap da) {
      // Resources rendered in a definition's scope point at its location: part of the output.
      return b instanceof DefinitionMap db
          && da.location().equals(db.location())
          && sameEntries(da, db);
    }
    if (a instanceof Map<?, ?> ma) {
      return b instanceof Map<?, ?> mb && !(b instanceof DefinitionMap) && sameEntries(ma, mb);
    }
    if (a instanceof List<?> la) {
      if (!(b instanceof List<?> lb) || la.size() != lb.size()) {
        return false;
      }
      for (int i = 0; i < la.size(); i++) {
        if (!same(la.get(i), lb.get(i))) {
          return false;
        }
      }
      return true;
    }
    throw unexpected(a, b);
  }

  /** Entries pairwise in iteration order: templates iterate maps in that order. */
  private static boolean sameEntries(Map<?, ?> a, Map<?, ?> b) {
    if (a.size() != b.size()) {
      return false;
    }
    Iterator<? extends Map.Entry<?, ?>> ib = b.entrySet().iterator();
    for (Map.Entry<?, ?> ea : a.entrySet()) {
      Map.Entry<?, ?> eb = ib.next();
      if (!same(ea.getKey(), eb.getKey()) || !same(ea.getValue(), eb.getValue())) {
        return false;
      }
    }
    return true;
  }

  private static IllegalArgumentException unexpected(Object a, Object b) {
    Object v = a != null ? a : b;
    return new IllegalArgumentException(
        "template context value of unexpected kind "
            + (v == null ? "null" : v.getClass().getName())
            + ": teach SameContext about it");
  }
}
