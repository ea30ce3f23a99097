package dev.trellis.model.load;

import dev.trellis.model.Provenance;
import dev.trellis.model.SourceLocation;
import java.util.HashMap;
import java.util.Map;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.Node;

/**
 * The reading of one definitions file: errors go to the shared collector, and every field read is
 * remembered with its location for the definition's {@link Provenance}.
 */
final class Source {

  private final String file;
  private final Problems problems;
  private int errors;
  private final Map<String, SourceLocation> fields = new HashMap<>();

  Source(String file, Problems problems) {
    this.file = file;
    this.problems = problems;
  }

  String file() {
    return file;
  }

  /** The top of the file, for problems with the file as a whole. */
  SourceLocation top() {
    return SourceLocation.ofFile(file);
  }

  SourceLocation at(Node node) {
    return at(node.getStartMark());
  }

  SourceLocation at(Mark mark) {
    return mark == null
        ? top()
        : new SourceLocation(file, mark.getLine() + 1, mark.getColumn() + 1);
  }

  /** Reports a problem with the value at {@code path}; the message is prefixed with the path. */
  void invalid(Node node, String path, String problem) {
    error(at(node), path, path.isEmpty() ? problem : path + ": " + problem);
  }

  void error(SourceLocation at, String field, String message) {
    problems.add(at, field, message);
    errors++;
  }

  /** Remembers where the value of {@code path} was written. */
  void read(String path, Node node) {
    fields.putIfAbsent(path, at(node));
  }

  /** Whether this file has produced no error so far. */
  boolean clean() {
    return errors == 0;
  }

  Provenance provenance() {
    return new Provenance(file, fields);
  }
}
