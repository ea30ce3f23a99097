package dev.trellis.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The observed section of {@code docs/conformance.md}, between its markers. */
final class ConformanceDoc {

  static final String BEGIN = "<!-- observed:begin -->";
  static final String END = "<!-- observed:end -->";

  private ConformanceDoc() {}

  /** Replaces the observed section of {@code doc} with {@code table}. */
  static void replaceObserved(Path doc, String table) throws IOException {
    String text = Files.readString(doc, StandardCharsets.UTF_8);
    int begin = text.indexOf(BEGIN);
    int end = text.indexOf(END);
    if (begin < 0 || end < begin) {
      throw new IOException(doc + ": no " + BEGIN + " ... " + END + " section");
    }
    Files.writeString(
        doc,
        text.substring(0, begin + BEGIN.length()) + "\n" + table + text.substring(end),
        StandardCharsets.UTF_8);
  }
}
