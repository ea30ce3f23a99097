package dev.trellis.analyze.report;

import dev.trellis.analyze.AnalysisResult;
import dev.trellis.analyze.Finding;
import dev.trellis.analyze.Level;

/**
 * One line per finding, {@code file:line:col: level[RULE]: message} (the compiler format editors
 * link), then a count line.
 */
public final class TextReporter implements Reporter {

  @Override
  public String render(AnalysisResult result) {
    StringBuilder out = new StringBuilder();
    for (Finding f : result.findings()) {
      out.append(line(f)).append('\n');
    }
    out.append(plural(result.count(Level.ERROR), "error"))
        .append(", ")
        .append(plural(result.count(Level.WARNING), "warning"))
        .append(", ")
        .append(plural(result.count(Level.INFO), "info"))
        .append(", ")
        .append(result.suppressed().size())
        .append(" suppressed\n");
    return out.toString();
  }

  /** One line whatever the message holds: line breaks are written as {@code \n}. */
  static String line(Finding f) {
    String message = f.message().replace("\r", "\\r").replace("\n", "\\n");
    return f.location() + ": " + f.level().label() + "[" + f.ruleId() + "]: " + message;
  }

  private static String plural(long n, String word) {
    return n + " " + word + (n == 1 || word.equals("info") ? "" : "s");
  }
}
