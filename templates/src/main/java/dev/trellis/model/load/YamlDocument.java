package dev.trellis.model.load;

import dev.trellis.model.DefinitionTree;
import dev.trellis.model.SourceLocation;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.CollectionEndEvent;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.parser.Parser;
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
  static final int MAX_NESTING = 20;
  static final int MAX_MESSAGE = 200;

  private YamlDocument() {}

  /** The file's single document, or empty after reporting a syntax error or an empty file. */
  static Optional<Node> parse(Source src, String text, String emptyProblem) {
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(MAX_ALIASES);
    // Our own check below comes first and knows where; these are only a backstop.
    options.setNestingDepthLimit(MAX_NESTING + 1);
    options.setCodePointLimit(DefinitionTree.MAX_FILE_BYTES);
    options.setAllowRecursiveKeys(false);
    try {
      Composer composer =
          new Composer(
              new DepthLimit(new ParserImpl(new StreamReader(text), options)),
              new Resolver(),
              options);
      Node root = composer.getSingleNode();
      if (root == null) {
        src.error(src.top(), "", "empty file (" + emptyProblem + ")");
        return Optional.empty();
      }
      return Optional.of(root);
    } catch (TooDeep e) {
      src.error(
          src.at(e.mark),
          "",
          "invalid YAML: mappings and lists are nested deeper than " + MAX_NESTING + " levels");
    } catch (MarkedYAMLException e) {
      src.error(src.at(e.getProblemMark()), "", "invalid YAML: " + capped(describe(e)));
    } catch (ReaderException e) {
      src.error(
          locate(src, text, e.getPosition()),
          "",
          String.format(
              "invalid YAML: character U+%04X is not allowed in YAML text", e.getCodePoint()));
    } catch (YAMLException e) {
      src.error(src.top(), "", "invalid YAML: " + capped(String.valueOf(e.getMessage())));
    }
    return Optional.empty();
  }

  /**
   * The parser's text on one line and at most {@link #MAX_MESSAGE} characters: it can quote the
   * file (an alias or tag name), and a file that is not YAML of ours must not be echoed.
   */
  static String capped(String text) {
    String line = Syntax.oneLine(text);
    return line.length() <= MAX_MESSAGE ? line : line.substring(0, MAX_MESSAGE) + "...";
  }

  /**
   * SnakeYAML's own nesting limit throws without a position (so the error read 1:1); this one
   * counts the same collections as they are parsed and throws at the one that is too deep.
   */
  private static final class DepthLimit implements Parser {
    private final Parser parser;
    private int depth;

    DepthLimit(Parser parser) {
      this.parser = parser;
    }

    @Override
    public boolean checkEvent(Event.ID id) {
      return parser.checkEvent(id);
    }

    @Override
    public Event peekEvent() {
      return parser.peekEvent();
    }

    @Override
    public Event getEvent() {
      Event e = parser.getEvent();
      if (e instanceof CollectionStartEvent && ++depth > MAX_NESTING) {
        throw new TooDeep(e.getStartMark());
      } else if (e instanceof CollectionEndEvent) {
        depth--;
      }
      return e;
    }
  }

  private static final class TooDeep extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Mark mark;

    TooDeep(Mark mark) {
      super(null, null, false, false);
      this.mark = mark;
    }
  }

  private static final String MAPPING_VALUES = "mapping values are not allowed here";

  /**
   * What SnakeYAML's bare {@link #MAPPING_VALUES} usually means: a key indented under a scalar, or
   * a value holding ': ' unquoted.
   */
  static final String MAPPING_VALUES_HINT =
      "(likely the indentation: this line is indented more than the key above it, which already"
          + " has a value; or a value containing ': ' that needs quotes)";

  /**
   * The parser's problem, with its context when that helps: where the unclosed construct started,
   * or the first half of a two-part sentence ("expected a single document..., but found ...").
   */
  private static String describe(MarkedYAMLException e) {
    String problem = e.getProblem() == null ? "syntax error" : e.getProblem();
    if (problem.equals(MAPPING_VALUES)) {
      return problem + " " + MAPPING_VALUES_HINT;
    }
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
