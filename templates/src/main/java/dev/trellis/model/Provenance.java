package dev.trellis.model;

import java.util.Map;

/**
 * Where every field of one definition came from: field paths such as {@code dependencies[0].name}
 * mapped to their location, so that a finding about a value can point at the line that wrote it.
 */
public record Provenance(String file, Map<String, SourceLocation> fields) {

  public Provenance {
    fields = Map.copyOf(fields);
  }

  /** The location of {@code path}, or of its nearest written ancestor, or the top of the file. */
  public SourceLocation locate(String path) {
    String p = path;
    while (!p.isEmpty()) {
      SourceLocation loc = fields.get(p);
      if (loc != null) {
        return loc;
      }
      int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
      p = cut < 0 ? "" : p.substring(0, cut);
    }
    return fields.getOrDefault("", SourceLocation.ofFile(file));
  }
}
