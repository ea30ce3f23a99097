package dev.trellis.render;

import dev.trellis.model.SourceLocation;
import java.util.AbstractMap;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A read-only template value that stands for one definition (a service, a dependency, an edge
 * exposure, a gateway) and remembers where it was written. A resource rendered while such a value
 * is the innermost one in scope is attributed to that location (see {@link RenderTrace}).
 */
final class DefinitionMap extends AbstractMap<String, Object> {

  private final Map<String, Object> fields;
  private final SourceLocation location;

  private DefinitionMap(Map<String, Object> fields, SourceLocation location) {
    this.fields = fields;
    this.location = location;
  }

  SourceLocation location() {
    return location;
  }

  @Override
  public Object get(Object key) {
    return fields.get(key);
  }

  @Override
  public boolean containsKey(Object key) {
    return fields.containsKey(key);
  }

  @Override
  public int size() {
    return fields.size();
  }

  @Override
  public Set<Entry<String, Object>> entrySet() {
    return fields.entrySet();
  }

  static Builder at(SourceLocation location) {
    return new Builder(location);
  }

  /** An ordered, read-only plain map (iteration order is part of the rendered output). */
  static Map<String, Object> plain(Object... keyValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      m.put((String) keyValues[i], keyValues[i + 1]);
    }
    return Collections.unmodifiableMap(m);
  }

  static final class Builder {
    private final SourceLocation location;
    private final Map<String, Object> fields = new LinkedHashMap<>();

    private Builder(SourceLocation location) {
      this.location = location;
    }

    Builder put(String key, Object value) {
      fields.put(key, value);
      return this;
    }

    DefinitionMap build() {
      return new DefinitionMap(Collections.unmodifiableMap(fields), location);
    }
  }
}
