package dev.trellis.model.load;

import dev.trellis.model.SourceLocation;

/**
 * One problem found while loading definitions.
 *
 * @param location where the offending text starts
 * @param field the field path the problem is about, such as {@code dependencies[0].name}; empty
 *     when it concerns the whole file
 * @param message what is wrong, naming the field; reads well after {@code file:line:col: }
 */
public record LoadError(SourceLocation location, String field, String message) {

  @Override
  public String toString() {
    return location + ": " + message;
  }
}
