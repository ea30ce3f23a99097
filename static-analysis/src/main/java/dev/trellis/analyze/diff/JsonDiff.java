package dev.trellis.analyze.diff;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The field-level differences between two JSON trees, as paths such as {@code
 * virtual_hosts[ledger].routes[0].route.timeout}. Lists whose items are objects with distinct
 * {@code name}s are matched by name ({@code [ledger]}), so that an insertion does not show as a
 * change of every later item; other lists of objects by index; a changed list of plain values is
 * one change of the whole list.
 */
final class JsonDiff {

  /** One difference: the value before and after, null where the field is absent. */
  record Change(String path, JsonNode before, JsonNode after) {}

  private JsonDiff() {}

  static List<Change> between(JsonNode before, JsonNode after) {
    List<Change> out = new ArrayList<>();
    walk("", before, after, out);
    return out;
  }

  private static void walk(String path, JsonNode a, JsonNode b, List<Change> out) {
    if (a != null && a.equals(b)) {
      return;
    }
    if (a != null && b != null && a.isObject() && b.isObject()) {
      Set<String> keys = new LinkedHashSet<>();
      a.fieldNames().forEachRemaining(keys::add);
      b.fieldNames().forEachRemaining(keys::add);
      for (String k : keys) {
        walk(field(path, k), a.get(k), b.get(k), out);
      }
      return;
    }
    if (a != null && b != null && a.isArray() && b.isArray()) {
      Map<String, JsonNode> byNameA = byName(a);
      Map<String, JsonNode> byNameB = byName(b);
      if (byNameA != null && byNameB != null) {
        Set<String> names = new LinkedHashSet<>(byNameA.keySet());
        names.addAll(byNameB.keySet());
        for (String n : names) {
          walk(path + "[" + n + "]", byNameA.get(n), byNameB.get(n), out);
        }
        return;
      }
      if (containers(a) || containers(b)) {
        for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
          walk(path + "[" + i + "]", a.get(i), b.get(i), out);
        }
        return;
      }
    }
    out.add(new Change(path, a, b));
  }

  private static String field(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /**
   * The items by their {@code name}, or null unless every item is an object with a unique one (an
   * empty list qualifies, so that a first named item shows as added by name).
   */
  private static Map<String, JsonNode> byName(JsonNode array) {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    Set<String> seen = new HashSet<>();
    for (JsonNode item : array) {
      JsonNode name = item.get("name");
      if (!item.isObject() || name == null || !name.isTextual() || !seen.add(name.asText())) {
        return null;
      }
      out.put(name.asText(), item);
    }
    return out;
  }

  private static boolean containers(JsonNode array) {
    for (JsonNode item : array) {
      if (item.isContainerNode()) {
        return true;
      }
    }
    return false;
  }
}
