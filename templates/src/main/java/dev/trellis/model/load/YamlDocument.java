package dev.trellis.model.load;

import dev.trellis.model.SourceLocation;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.ReaderException;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Parses one file into a YAML node tree (not into objects, so every value keeps its position), or
 * reports why it cannot.
 */
final class YamlDocument {

  private static final int MAX_ALIASES = 20;
  private static final int MAX_NESTING = 20;

  private YamlDocument() {}

  /** The file's single document, or empty after reporting a syntax error or an empty file. */
  static Optional<Node> parse(Source src, String text, String emptyProblem) {
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(MAX_ALIASES);
    options.setNestingDepthLimit(MAX_NESTING);
    options.setAllowRecursiveKeys(false);
    try {
      Composer composer =
          new Composer(new ParserImpl(new StreamReader(text), options), new Resolver(), options);
      Node root = composer.getSingleNode();
      if (root == null) {
        src.error(src.top(), "", "empty file (" + emptyProblem + ")");
        return Optional.empty();
      }
      return Optional.of(root);
    } catch (MarkedYAMLException e) {
      src.error(src.at(e.getProblemMark()), "", "invalid YAML: " + Syntax.oneLine(describe(e)));
    } catch (ReaderException e) {
      src.error(
          locate(src, text, e.getPosition()),
          "",
          String.format(
              "invalid YAML: character U+%04X is not allowed in YAML text", e.getCodePoint()));
    } catch (YAMLException e) {
      src.error(src.top(), "", "invalid YAML: " + Syntax.oneLine(String.valueOf(e.getMessage())));
    }
    return Optional.empty();
  }

  /**
   * The parser's problem, with its context when that helps: where the unclosed construct started,
   * or the first half of a two-part sentence ("expected a single document..., but found ...").
   */
  private static String describe(MarkedYAMLException e) {
    String problem = e.getProblem() == null ? "syntax error" : e.getProblem();
    String context = e.getContext();
    Mark where = e.getContextMark();
    if (context == null) {
      return problem;
    }
    if (problem.startsWith("but ")) {
      return context + ", " + problem;
    }
    if (where == null) {
      return problem;
    }
    return problem
        + " ("
        + context
        + " started at line "
        + (where.getLine() + 1)
        + ", column "
        + (where.getColumn() + 1)
        + ")";
  }

  /** The line and column of a code point index, for errors the scanner reports as an index. */
  private static SourceLocation locate(Source src, String text, int codePoint) {
    int line = 1;
    int column = 1;
    int i = 0;
    for (int n = 0; n < codePoint && i < text.length(); n++) {
      int c = text.codePointAt(i);
      i += Character.charCount(c);
      if (c == '\n') {
        line++;
        column = 1;
      } else {
        column++;
      }
    }
    return new SourceLocation(src.file(), line, column);
  }
}
