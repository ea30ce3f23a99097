package dev.trellis.model;

/**
 * A place in a definitions repo: a file path relative to the repo root, with 1-based line and
 * column.
 */
public record SourceLocation(String file, int line, int column)
    implements Comparable<SourceLocation> {

  public static SourceLocation ofFile(String file) {
    return new SourceLocation(file, 1, 1);
  }

  @Override
  public int compareTo(SourceLocation o) {
    int c = file.compareTo(o.file);
    if (c != 0) {
      return c;
    }
    c = Integer.compare(line, o.line);
    return c != 0 ? c : Integer.compare(column, o.column);
  }

  @Override
  public String toString() {
    return file + ":" + line + ":" + column;
  }
}
