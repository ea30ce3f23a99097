package dev.trellis.model.load;

import dev.trellis.model.SourceLocation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Collects errors from every file so that one load reports all of them. */
final class Problems {

  private final List<LoadError> errors = new ArrayList<>();

  void add(SourceLocation at, String field, String message) {
    errors.add(new LoadError(at, field, message));
  }

  /** Every error added, in the order added. */
  List<LoadError> all() {
    return List.copyOf(errors);
  }

  void addAll(List<LoadError> more) {
    errors.addAll(more);
  }

  /** By location; errors at one location stay in the order they were found (field order). */
  List<LoadError> sorted() {
    return errors.stream().sorted(Comparator.comparing(LoadError::location)).toList();
  }
}
