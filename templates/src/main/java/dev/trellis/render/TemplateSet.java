package dev.trellis.render;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.el.JinjavaProcessors;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.InterpretException;
import com.hubspot.jinjava.interpret.InterpreterFactory;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.OutputTooBigException;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.interpret.UnknownTokenException;
import com.hubspot.jinjava.interpret.errorcategory.BasicTemplateErrorCategory;
import com.hubspot.jinjava.lib.fn.MacroFunction;
import com.hubspot.jinjava.loader.ResourceNotFoundException;
import com.hubspot.jinjava.random.RandomNumberGeneratorStrategy;
import com.hubspot.jinjava.tree.Node;
import dev.trellis.model.SourceLocation;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jinjava.javax.el.CompositeELResolver;

/**
 * The default templates with a mesh's overrides laid over them, parsed once. Paths are relative to
 * {@code templates/}; {@code include}, {@code import} and {@code from} resolve against the same
 * set, so an override replaces a default everywhere it is used.
 */
final class TemplateSet {

  /** Jinjava prefixes some messages with their location; we report location separately. */
  private static final Pattern LOCATED =
      Pattern.compile("(?:Error|Warning) in `([^`]*)` on line (\\d+): (.*)", Pattern.DOTALL);

  private static final Pattern MARKER =
      Pattern.compile("\\{% " + RenderTrace.OriginTag.NAME + " \\d+ \\d+ %\\}");
  private static final Pattern MACRO_CALL = Pattern.compile("Error invoking function '([^']+)'");
  private static final Pattern FILTER_USE = Pattern.compile("\\|\\s*([A-Za-z_][A-Za-z0-9_]*)");
  private static final Pattern VARIABLE_PATH =
      Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*");

  /**
   * The most items a list or map built by a template may hold: bounds the memory of loops that
   * append, far above any mesh's services or endpoints.
   */
  private static final int MAX_COLLECTION_SIZE = 1_000_000;

  private final SortedMap<String, String> overrides;
  private final RenderLimits limits;
  private final JinjavaConfig config;
  private final Jinjava jinjava;
  private final List<String> paths;
  private final Map<String, String> sources = new HashMap<>();
  private final Map<String, Node> roots = new HashMap<>();

  /** Parsed templates by source text, for imports and includes (Jinjava parses on each use). */
  private final Map<String, Node> parsedSources = new HashMap<>();

  private final ThreadLocal<Context> base = ThreadLocal.withInitial(this::newBaseContext);

  private TemplateSet(SortedMap<String, String> overrides, RenderLimits limits) {
    this.overrides = Collections.unmodifiableSortedMap(new TreeMap<>(overrides));
    this.limits = limits;
    this.config =
        JinjavaConfig.newBuilder()
            .withFailOnUnknownTokens(true)
            // Never render values again: a "{{ }}" inside a definition stays text.
            .withNestedInterpretationEnabled(false)
            // Python-like semantics, as template authors expect from Jinja.
            .withLegacyOverrides(
                LegacyOverrides.newBuilder()
                    .withIterateOverMapKeys(true)
                    .withEvaluateMapKeys(true)
                    .withUseNaturalOperatorPrecedence(true)
                    .withParseWhitespaceControlStrictly(true)
                    .withUseTrimmingForNotesAndExpressions(true)
                    .build())
            // Same input, same bytes: no randomness, no clock.
            .withRandomNumberGeneratorStrategy(RandomNumberGeneratorStrategy.CONSTANT_ZERO)
            .withDateTimeProvider(() -> 0L)
            // Jinjava's own limits per template; RenderBudget sums a group's templates.
            .withMaxOutputSize(limits.maxOutputBytes())
            .withMaxStringLength(limits.maxOutputBytes())
            .withMaxListSize(MAX_COLLECTION_SIZE)
            .withMaxMapSize(MAX_COLLECTION_SIZE)
            // A macro that calls itself is reported (as a cycle) rather than run.
            .withEnableRecursiveMacroCalls(false)
            .withElResolver(
                new CompositeELResolver() {
                  {
                    add(new QuoteResolver());
                    add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
                  }
                })
            .withInterperterFactory(new CachingInterpreterFactory(parsedSources))
            .withProcessors(
                JinjavaProcessors.newBuilder()
                    .withNodePreProcessor(RenderTrace::nodeStarted)
                    .build())
            .build();
    this.jinjava = new Jinjava(config);
    jinjava.registerFilter(new QuoteFilter());
    jinjava.registerTag(new RenderTrace.OriginTag());
    jinjava.registerTag(new RenderTrace.TracingIncludeTag());
    jinjava.setResourceLocator(
        (name, charset, interpreter) -> {
          String source = sources.get(name);
          if (source == null) {
            throw new ResourceNotFoundException("no template '" + name + "' under templates/");
          }
          return source;
        });
    SortedMap<String, String> all = new TreeMap<>(DefaultTemplates.all());
    all.putAll(overrides);
    this.paths = List.copyOf(all.keySet());
    for (int id = 0; id < paths.size(); id++) {
      String path = paths.get(id);
      sources.put(path, OriginMarkers.inject(all.get(path), id));
    }
  }

  /** Parses every {@code .j2} template; syntax errors of any of them fail the whole set. */
  static TemplateSet compile(SortedMap<String, String> overrides, RenderLimits limits) {
    TemplateSet set = new TemplateSet(overrides, limits);
    List<RenderError> errors = new ArrayList<>();
    for (String path : set.paths) {
      if (!path.endsWith(".j2")) {
        continue;
      }
      JinjavaInterpreter parser = set.jinjava.newInterpreter();
      Node root = parser.parse(set.sources.get(path));
      set.roots.put(path, root);
      set.parsedSources.put(set.sources.get(path), root);
      for (TemplateError e : parser.getErrors()) {
        if (e.getSeverity() == TemplateError.ErrorType.FATAL
            || e.getReason() == TemplateError.ErrorReason.SYNTAX_ERROR) {
          errors.add(new RenderError(path, Math.max(e.getLineno(), 0), "", clean(e.getMessage())));
        }
      }
    }
    if (!errors.isEmpty()) {
      throw new RenderException(errors);
    }
    return set;
  }

  SortedMap<String, String> overrides() {
    return overrides;
  }

  RenderLimits limits() {
    return limits;
  }

  String path(int templateId) {
    return paths.get(templateId);
  }

  /**
   * The template rendering resources of {@code type} for proxies of {@code kind}: {@code
   * <role>/<type>.yaml.j2}, else {@code common/<type>.yaml.j2}, else none.
   */
  Optional<String> templateFor(ProxyKind kind, ResourceType type) {
    String file = type.plural() + ".yaml.j2";
    String own = kind.name().toLowerCase(java.util.Locale.ROOT) + "/" + file;
    if (roots.containsKey(own)) {
      return Optional.of(own);
    }
    String common = "common/" + file;
    return roots.containsKey(common) ? Optional.of(common) : Optional.empty();
  }

  /** Rendered text of one template, with the resource starts it recorded. */
  record Output(String text, List<RenderTrace.Mark> marks) {}

  /**
   * Renders one template of a group, within what is left of the group's budget.
   *
   * @throws RenderException with every problem found, or only the budget error once the group is
   *     over budget
   * @throws RenderBudget.Stopped if another group of the mesh render went over budget
   */
  Output render(
      String path,
      Map<String, Object> bindings,
      String group,
      SourceLocation fallback,
      RenderBudget budget) {
    Node root = roots.get(path);
    RenderTrace trace = new RenderTrace(path, fallback, budget);
    Context context = new Context(base.get(), bindings, config.getDisabled());
    context.getCurrentPathStack().pushWithoutCycleCheck(path, 0, 0);
    JinjavaInterpreter interpreter =
        config.getInterpreterFactory().newInstance(jinjava, context, config);
    List<RenderError> errors = new ArrayList<>();
    int[] tooBigAt = {-1}; // the line an output-too-big exception was thrown at, if one was
    String text =
        trace.during(
            () -> {
              JinjavaInterpreter.pushCurrent(interpreter);
              try {
                return interpreter.render(root);
              } catch (RenderBudget.Exceeded e) {
                return ""; // budget.exceeded() says why
              } catch (RuntimeException e) {
                if (causedBy(e, OutputTooBigException.class)) {
                  Throwable inner = innermostJinjavaError(e);
                  tooBigAt[0] =
                      inner instanceof InterpretException ie && ie.getLineNumber() > 0
                          ? ie.getLineNumber()
                          : trace.lastLine();
                }
                errors.add(fromException(e, path, trace, group, interpreter));
                return "";
              } catch (StackOverflowError e) {
                // Nesting too deep for the stack: an error of this template, not of the process.
                errors.add(
                    new RenderError(
                        trace.template(), trace.lastLine(), group, "templates nest too deeply"));
                return "";
              } finally {
                JinjavaInterpreter.popCurrent();
              }
            });
    // Checked before Jinjava's errors: a budget error thrown inside a macro comes back from
    // Jinjava wrapped as an error of the call, which would hide it.
    RenderBudget.Exceeded exceeded = budget.exceeded();
    if (exceeded != null) {
      if (!exceeded.own) {
        throw new RenderBudget.Stopped();
      }
      throw new RenderException(
          new RenderError(trace.template(), trace.lastLine(), group, budget.timeMessage()));
    }
    Optional<TemplateError> tooBig = outputTooBig(interpreter.getErrors());
    if (tooBigAt[0] >= 0 || tooBig.isPresent()) {
      budget.addOutput(Integer.MAX_VALUE);
      int line = tooBigAt[0] >= 0 ? tooBigAt[0] : lineOf(tooBig.get());
      throw new RenderException(
          new RenderError(
              trace.template(), line > 0 ? line : trace.lastLine(), group, budget.outputMessage()));
    }
    for (TemplateError e : interpreter.getErrors()) {
      if (e.getSeverity() == TemplateError.ErrorType.FATAL) {
        errors.add(fromTemplateError(e, path, trace, group, interpreter));
      } else if (e.getCategory() instanceof BasicTemplateErrorCategory c && CYCLES.contains(c)) {
        // Jinjava only warns and renders nothing: a recursive macro or include would pass with
        // its output silently missing.
        errors.add(cycle(e, trace, group));
      }
    }
    if (!errors.isEmpty()) {
      throw new RenderException(errors);
    }
    if (!budget.addOutput(text.length())) {
      throw new RenderException(
          new RenderError(path, trace.lastLine(), group, budget.outputMessage()));
    }
    return new Output(text, List.copyOf(trace.marks()));
  }

  private static final Set<BasicTemplateErrorCategory> CYCLES =
      EnumSet.of(
          BasicTemplateErrorCategory.CYCLE_DETECTED,
          BasicTemplateErrorCategory.IMPORT_CYCLE_DETECTED,
          BasicTemplateErrorCategory.INCLUDE_CYCLE_DETECTED,
          BasicTemplateErrorCategory.FROM_CYCLE_DETECTED);

  private static final Pattern MACRO_CYCLE = Pattern.compile("Cycle detected for macro '([^']*)'");

  private static RenderError cycle(TemplateError e, RenderTrace trace, String group) {
    String template = e.getSourceTemplate().orElse(trace.template());
    int line = e.getLineno() > 0 ? e.getLineno() : trace.lastLine();
    String message = e.getMessage();
    Matcher located = LOCATED.matcher(message);
    if (located.matches()) {
      template = located.group(1);
      line = Integer.parseInt(located.group(2));
      message = located.group(3);
    }
    Matcher macro = MACRO_CYCLE.matcher(message);
    message =
        macro.find()
            ? "macro '" + macro.group(1) + "' calls itself; recursive macros are not allowed"
            : clean(message) + "; recursive includes and imports are not allowed";
    return new RenderError(template, line, group, message);
  }

  /**
   * The error of going over Jinjava's output or string limit (the group's output budget): the one
   * raised where the string grew if there is one (its line is that node's), else the one Jinjava
   * adds for the whole output.
   */
  private static Optional<TemplateError> outputTooBig(List<TemplateError> errors) {
    TemplateError whole = null;
    for (TemplateError e : errors) {
      if (causedBy(e.getException(), OutputTooBigException.class)) {
        return Optional.of(e);
      }
      if (whole == null && e.getReason() == TemplateError.ErrorReason.OUTPUT_TOO_BIG) {
        whole = e;
      }
    }
    return Optional.ofNullable(whole);
  }

  /** Interpreters that take parsed templates from the compiled set instead of parsing again. */
  private record CachingInterpreterFactory(Map<String, Node> parsed) implements InterpreterFactory {

    @Override
    public JinjavaInterpreter newInstance(JinjavaInterpreter orig) {
      return new CachingInterpreter(orig, parsed);
    }

    @Override
    public JinjavaInterpreter newInstance(
        Jinjava application, Context context, JinjavaConfig renderConfig) {
      return new CachingInterpreter(application, context, renderConfig, parsed);
    }
  }

  private static final class CachingInterpreter extends JinjavaInterpreter {
    private final Map<String, Node> parsed;

    CachingInterpreter(JinjavaInterpreter orig, Map<String, Node> parsed) {
      super(orig);
      this.parsed = parsed;
    }

    CachingInterpreter(
        Jinjava application, Context context, JinjavaConfig config, Map<String, Node> parsed) {
      super(application, context, config);
      this.parsed = parsed;
    }

    @Override
    public Node parse(String template) {
      Node root = parsed.get(template);
      return root != null ? root : super.parse(template);
    }

    /**
     * Jinjava turns what a function or filter throws, an {@link OutOfMemoryError} included, into an
     * error of the expression and renders on: out of memory would go unseen while the render ran
     * on, each step short of memory. It is thrown again here, where Jinjava records it.
     */
    @Override
    public void addError(TemplateError error) {
      for (Throwable c = error.getException();
          c != null;
          c = c.getCause() == c ? null : c.getCause()) {
        if (c instanceof VirtualMachineError vm && !(c instanceof StackOverflowError)) {
          throw vm;
        }
      }
      super.addError(error);
    }
  }

  /**
   * The root context of this thread's renders: Jinjava's built-in library plus ours, built once per
   * thread rather than once per render (building it instantiates every filter and tag). Jinjava
   * records resolved expressions and dependencies in every ancestor context; the base ignores them
   * so that it stays the same however much is rendered.
   */
  private Context newBaseContext() {
    Context c =
        new Context(null, null, config.getDisabled()) {
          @Override
          public void addResolvedExpression(String expression) {}

          @Override
          public void addResolvedValue(String value) {}

          @Override
          public void addResolvedFunction(String function) {}

          @Override
          public void addDependency(String type, String identification) {}

          @Override
          public void addDependencies(com.google.common.collect.SetMultimap<String, String> d) {}
        };
    c.registerFilter(new QuoteFilter());
    c.registerTag(new RenderTrace.OriginTag());
    c.registerTag(new RenderTrace.TracingIncludeTag());
    return c;
  }

  private RenderError fromException(
      RuntimeException e,
      String path,
      RenderTrace trace,
      String group,
      JinjavaInterpreter interpreter) {
    Throwable inner = innermostJinjavaError(e);
    int line = inner instanceof InterpretException ie ? ie.getLineNumber() : -1;
    String template = trace.template();
    Optional<String> macroFile = macroTemplate(e, interpreter);
    if (macroFile.isPresent() && line > 0) {
      template = macroFile.get();
    }
    return new RenderError(template, line > 0 ? line : trace.lastLine(), group, describe(inner));
  }

  private RenderError fromTemplateError(
      TemplateError e,
      String path,
      RenderTrace trace,
      String group,
      JinjavaInterpreter interpreter) {
    String template = e.getSourceTemplate().orElse(trace.template());
    int line = e.getLineno() > 0 ? e.getLineno() : trace.lastLine();
    String message = e.getMessage();
    Matcher m = LOCATED.matcher(message);
    if (m.matches()) {
      template = m.group(1);
      line = Integer.parseInt(m.group(2));
      message = m.group(3);
    }
    if (e.getException() != null) {
      Throwable inner = innermostJinjavaError(e.getException());
      if (inner != e.getException()
          || inner instanceof UnknownTokenException
          || inner instanceof QuoteFilter.UndefinedValueException) {
        message = describe(inner);
        // The error happened inside a macro imported from another template: point there.
        Optional<String> macroFile = macroTemplate(e.getException(), interpreter);
        if (macroFile.isPresent()
            && inner instanceof InterpretException ie
            && ie.getLineNumber() > 0) {
          template = macroFile.get();
          line = ie.getLineNumber();
        }
      }
    }
    return new RenderError(template, line, group, clean(message));
  }

  /** Its line; Jinjava leaves it 0 for some errors and says it in the message only. */
  private static int lineOf(TemplateError e) {
    Matcher m = LOCATED.matcher(e.getMessage());
    return e.getLineno() <= 0 && m.matches() ? Integer.parseInt(m.group(2)) : e.getLineno();
  }

  private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
    for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }

  /** Outer Jinjava errors often only say "Error invoking function"; the cause says why. */
  private static Throwable innermostJinjavaError(Throwable e) {
    Throwable found = e;
    for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      if (c instanceof InterpretException) {
        found = c;
      }
    }
    return found;
  }

  /**
   * The template of the macro an error was raised in, when the macro was imported: Jinjava only
   * says "Error invoking function 'm'" at the call site.
   */
  private static Optional<String> macroTemplate(Throwable e, JinjavaInterpreter interpreter) {
    for (Throwable c = e; c != null && c != c.getCause(); c = c.getCause()) {
      Matcher m = c.getMessage() == null ? null : MACRO_CALL.matcher(c.getMessage());
      if (m != null && m.find()) {
        Object fn = interpreter.getContext().get(m.group(1));
        if (!(fn instanceof MacroFunction)) {
          fn = interpreter.getContext().getGlobalMacro(m.group(1));
        }
        if (fn instanceof MacroFunction macro) {
          Optional<String> file = macro.getImportFile(interpreter);
          // getImportFile pushes the file on the path stack as it returns it.
          file.ifPresent(f -> interpreter.getContext().getCurrentPathStack().pop());
          return file;
        }
      }
    }
    return Optional.empty();
  }

  private String describe(Throwable e) {
    if (e instanceof UnknownTokenException u) {
      return unknownToken(u.getToken());
    }
    if (e instanceof QuoteFilter.UndefinedValueException u) {
      String variable = u.expression().split("\\|", 2)[0].strip();
      return VARIABLE_PATH.matcher(variable).matches()
          ? "unknown variable '" + variable + "'"
          : clean(u.getMessage());
    }
    String m = e.getMessage();
    return clean(m == null || m.isBlank() ? e.getClass().getSimpleName() : m);
  }

  /** With fail-on-unknown-tokens Jinjava reports unknown filters as unknown tokens too. */
  private String unknownToken(String token) {
    String expr = clean(token).trim();
    Matcher f = FILTER_USE.matcher(expr);
    while (f.find()) {
      if (jinjava.getGlobalContext().getFilter(f.group(1)) == null) {
        return "unknown filter '" + f.group(1) + "' in '" + expr + "'";
      }
    }
    if (VARIABLE_PATH.matcher(expr).matches()) {
      return "unknown variable '" + expr + "'";
    }
    return "undefined value in '" + expr + "'";
  }

  private static String clean(String message) {
    return MARKER.matcher(message).replaceAll("").strip();
  }
}
