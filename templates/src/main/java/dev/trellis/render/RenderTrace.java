package dev.trellis.render;

import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.InterpretException;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.tag.IncludeTag;
import com.hubspot.jinjava.lib.tag.Tag;
import com.hubspot.jinjava.objects.collections.PyMap;
import com.hubspot.jinjava.tree.Node;
import com.hubspot.jinjava.tree.TagNode;
import com.hubspot.jinjava.util.HelperStringTokenizer;
import dev.trellis.model.SourceLocation;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * What one template render went through: where each top-level resource started (see {@link
 * OriginMarkers}), and where rendering was when it failed, for errors that Jinjava reports without
 * their template.
 *
 * <p>Jinjava calls tags and node hooks without any handle on our render, so the trace of the render
 * running on a thread is kept in a thread-local for exactly the duration of that render.
 */
final class RenderTrace {

  private static final ThreadLocal<RenderTrace> CURRENT = new ThreadLocal<>();

  /** A resource start: template (id in the compiled set), its line, the definition in scope. */
  record Mark(int templateId, int line, SourceLocation definition) {}

  private final SourceLocation fallbackDefinition;
  private final RenderBudget budget;
  private final List<Mark> marks = new ArrayList<>();
  private String template;
  private Node lastNode;

  RenderTrace(String template, SourceLocation fallbackDefinition, RenderBudget budget) {
    this.template = template;
    this.fallbackDefinition = fallbackDefinition;
    this.budget = budget;
  }

  List<Mark> marks() {
    return marks;
  }

  /**
   * The template being rendered: the top-level one, or the included one an error escaped from
   * ({@link TracingIncludeTag} does not switch back when an error passes through).
   */
  String template() {
    return template;
  }

  /** The line of the last node started, or 0. */
  int lastLine() {
    return lastNode == null ? 0 : lastNode.getLineNumber();
  }

  <T> T during(Supplier<T> render) {
    RenderTrace outer = CURRENT.get();
    CURRENT.set(this);
    try {
      return render.get();
    } finally {
      if (outer == null) {
        CURRENT.remove();
      } else {
        CURRENT.set(outer);
      }
    }
  }

  /**
   * Jinjava node pre-processor: remembers the node being rendered and checks the render's budget
   * (kept cheap: every node). Loops and macro calls render nodes, so a template cannot spin past
   * its deadline without coming here.
   */
  static void nodeStarted(Node node, JinjavaInterpreter interpreter) {
    RenderTrace t = CURRENT.get();
    if (t != null) {
      t.lastNode = node;
      t.budget.nodeStarted();
    }
  }

  /** The expression of the node being rendered on this thread, e.g. {@code dep.name|q}. */
  static String currentExpression() {
    RenderTrace t = CURRENT.get();
    if (t == null || t.lastNode == null) {
      return "";
    }
    String image = t.lastNode.getMaster().getImage().strip();
    if (image.startsWith("{{") && image.endsWith("}}")) {
      image = image.substring(2, image.length() - 2).replaceAll("^-|-$", "").strip();
    }
    return image;
  }

  /**
   * Jinjava's {@code include}, noting which template is being rendered. An error inside the
   * included template leaves that template noted; a missing template is the includer's error.
   */
  static final class TracingIncludeTag extends IncludeTag {

    private static final long serialVersionUID = 1L;

    @Override
    public String interpret(TagNode tagNode, JinjavaInterpreter interpreter) {
      RenderTrace t = CURRENT.get();
      if (t == null) {
        return super.interpret(tagNode, interpreter);
      }
      String includer = t.template;
      t.template = includedFile(tagNode, interpreter);
      String out;
      try {
        out = super.interpret(tagNode, interpreter);
      } catch (InterpretException e) {
        if (e.getCause() instanceof IOException) {
          t.template = includer;
        }
        throw e;
      }
      t.template = includer;
      return out;
    }

    /** The included path, resolved the way the include tag resolves it. */
    private static String includedFile(TagNode tagNode, JinjavaInterpreter interpreter) {
      HelperStringTokenizer helpers = new HelperStringTokenizer(tagNode.getHelpers());
      if (!helpers.hasNext()) {
        return "";
      }
      String path =
          interpreter.resolveString(
              helpers.next().strip(), tagNode.getLineNumber(), tagNode.getStartPosition());
      return interpreter.resolveResourceLocation(path);
    }
  }

  /**
   * The {@code trellis_origin <template id> <line>} tag that {@link OriginMarkers} puts in front of
   * each top-level list item of a template; it renders nothing.
   */
  static final class OriginTag implements Tag {

    static final String NAME = "trellis_origin";
    private static final long serialVersionUID = 1L;

    @Override
    public String getName() {
      return NAME;
    }

    @Override
    public String getEndTagName() {
      return null;
    }

    @Override
    public String interpret(TagNode tagNode, JinjavaInterpreter interpreter) {
      RenderTrace t = CURRENT.get();
      if (t != null) {
        String helpers = tagNode.getHelpers().trim();
        int space = helpers.indexOf(' ');
        t.marks.add(
            new Mark(
                Integer.parseInt(helpers.substring(0, space)),
                Integer.parseInt(helpers.substring(space + 1).trim()),
                definitionInScope(interpreter.getContext(), t.fallbackDefinition)));
      }
      return "";
    }
  }

  /** The innermost definition-backed value in scope (e.g. the loop's {@code dep}). */
  private static SourceLocation definitionInScope(Context context, SourceLocation fallback) {
    for (Context c = context; c != null; c = c.getParent()) {
      for (Object v : c.getScope().values()) {
        // Jinjava wraps maps it assigns (loop variables, macro arguments) in a PyMap.
        if (v instanceof PyMap wrapped) {
          v = wrapped.toMap();
        }
        if (v instanceof DefinitionMap d) {
          return d.location();
        }
      }
    }
    return fallback;
  }
}
