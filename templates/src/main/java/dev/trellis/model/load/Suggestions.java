package dev.trellis.model.load;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/**
 * "did you mean" for an unknown name: the closest known name by edit distance (Levenshtein), when
 * it is close enough to be a typo: at most a third of the name's length in edits (rounded up, at
 * least one), and fewer edits than the longer name has characters, so a short name is not
 * "corrected" into an unrelated one ({@code xss} does not suggest {@code hsts}). Case is ignored
 * when measuring ({@code HTTP} suggests {@code http}). Ties go to the first candidate in iteration
 * order.
 */
final class Suggestions {

  private Suggestions() {}

  /** The closest candidate to {@code name}, if any is close enough. */
  static Optional<String> closest(String name, Collection<String> candidates) {
    String lower = name.toLowerCase(Locale.ROOT);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : candidates) {
      if (candidate.equals(name)) {
        continue;
      }
      int d = distance(lower, candidate.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    if (best == null) {
      return Optional.empty();
    }
    int allowed = Math.max(1, (name.length() + 2) / 3);
    boolean close =
        bestDistance <= allowed && bestDistance < Math.max(name.length(), best.length());
    return close ? Optional.of(best) : Optional.empty();
  }

  /** {@code " (did you mean 'x'?)"}-style suffix: {@code "; did you mean 'x'?"}, or empty. */
  static String hint(String name, Collection<String> candidates) {
    return closest(name, candidates).map(c -> "; did you mean '" + c + "'?").orElse("");
  }

  /** Levenshtein distance (insertions, deletions, substitutions), on UTF-16 units. */
  static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        current[j] =
            Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
      }
      int[] t = previous;
      previous = current;
      current = t;
    }
    return previous[b.length()];
  }
}
