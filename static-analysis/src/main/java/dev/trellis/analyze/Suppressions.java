package dev.trellis.analyze;

import dev.trellis.model.DefinitionTree;
import dev.trellis.model.SourceLocation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code # trellis:ignore TRL305 reason="..."} comments of a definitions tree. A comment
 * suppresses the named rules for findings on its own line and on the line below it; one without a
 * reason, or naming a rule that does not exist, suppresses nothing and is itself a finding. The
 * findings of {@link PipelineFindings#UNSUPPRESSIBLE} rules are never suppressed.
 */
public final class Suppressions {

  public static final Rule MISSING_REASON =
      new Rule(
          "TRL101",
          "suppression-without-reason",
          Level.ERROR,
          "A trellis:ignore comment gives no reason.",
          "Every suppression must say why the finding is acceptable, as reason=\"...\" after the"
              + " rule ids, so that reviewers can judge it later. A suppression without a reason"
              + " suppresses nothing.");

  public static final Rule UNKNOWN_RULE =
      new Rule(
          "TRL102",
          "suppression-of-unknown-rule",
          Level.ERROR,
          "A trellis:ignore comment names a rule that does not exist.",
          "The rule ids after trellis:ignore must be ids of current rules, such as TRL201."
              + " A misspelt or retired id would silently suppress nothing, so it is reported"
              + " instead.");

  static final List<Rule> RULES = List.of(MISSING_REASON, UNKNOWN_RULE);

  private static final Pattern COMMENT = Pattern.compile("#\\s*trellis:ignore\\b(.*)$");
  private static final Pattern REASON = Pattern.compile("\\breason\\s*=\\s*\"([^\"]*)\"");
  private static final Pattern SEPARATORS = Pattern.compile("[\\s,]+");

  private static final Suppressions NONE = new Suppressions(Map.of(), List.of());

  /** Valid suppressions by file, then by the line of the comment. */
  private final Map<String, Map<Integer, List<Entry>>> byFile;

  private final List<Finding> problems;

  private record Entry(Set<String> ruleIds, String reason, SourceLocation at) {}

  private Suppressions(Map<String, Map<Integer, List<Entry>>> byFile, List<Finding> problems) {
    this.byFile = byFile;
    this.problems = List.copyOf(problems);
  }

  public static Suppressions none() {
    return NONE;
  }

  /** Reads the suppression comments of every YAML file in {@code tree}. */
  public static Suppressions scan(DefinitionTree tree, RuleRegistry registry) {
    Map<String, Map<Integer, List<Entry>>> byFile = new HashMap<>();
    List<Finding> problems = new ArrayList<>();
    tree.files()
        .forEach(
            (file, text) -> {
              if (file.endsWith(".yaml") || file.endsWith(".yml")) {
                scanFile(file, text, registry, byFile, problems);
              }
            });
    return new Suppressions(byFile, problems);
  }

  private static void scanFile(
      String file,
      String text,
      RuleRegistry registry,
      Map<String, Map<Integer, List<Entry>>> byFile,
      List<Finding> problems) {
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      Matcher m = COMMENT.matcher(lines[i]);
      if (!m.find()) {
        continue;
      }
      SourceLocation at = new SourceLocation(file, i + 1, m.start() + 1);
      String rest = m.group(1).strip();
      Matcher reasonMatch = REASON.matcher(rest);
      String reason = "";
      if (reasonMatch.find()) {
        reason = reasonMatch.group(1).strip();
        rest = (rest.substring(0, reasonMatch.start()) + rest.substring(reasonMatch.end())).strip();
      }
      Set<String> ids = new LinkedHashSet<>();
      for (String id : SEPARATORS.split(rest)) {
        if (!id.isEmpty()) {
          ids.add(id);
        }
      }
      if (ids.isEmpty()) {
        problems.add(
            Finding.of(
                UNKNOWN_RULE,
                "trellis:ignore names no rule; write trellis:ignore TRLnnn reason=\"...\"",
                at));
        continue;
      }
      Set<String> known = new LinkedHashSet<>();
      for (String id : ids) {
        if (registry.rule(id).isPresent()) {
          known.add(id);
        } else if (RuleRegistry.RETIRED.containsKey(id)) {
          problems.add(
              Finding.of(
                  UNKNOWN_RULE, "trellis:ignore names rule " + id + ", which is retired", at));
        } else {
          problems.add(
              Finding.of(UNKNOWN_RULE, "trellis:ignore names unknown rule '" + id + "'", at));
        }
      }
      if (reason.isEmpty()) {
        problems.add(
            Finding.of(
                MISSING_REASON,
                "trellis:ignore " + String.join(",", ids) + " gives no reason; add reason=\"...\"",
                at));
      } else if (!known.isEmpty()) {
        byFile
            .computeIfAbsent(file, f -> new HashMap<>())
            .computeIfAbsent(i + 1, l -> new ArrayList<>())
            .add(new Entry(known, reason, at));
      }
    }
  }

  /** The malformed suppressions, as findings of TRL101 and TRL102. */
  public List<Finding> problems() {
    return problems;
  }

  /** Splits {@code findings} into those that count and those a comment suppresses. */
  public AnalysisResult apply(List<Finding> findings) {
    List<Finding> counting = new ArrayList<>();
    List<SuppressedFinding> suppressed = new ArrayList<>();
    for (Finding f : findings) {
      Entry entry = find(f);
      if (entry == null) {
        counting.add(f);
      } else {
        suppressed.add(new SuppressedFinding(f, Suppression.comment(entry.reason(), entry.at())));
      }
    }
    return new AnalysisResult(counting, suppressed);
  }

  private Entry find(Finding f) {
    if (PipelineFindings.UNSUPPRESSIBLE.contains(f.ruleId())) {
      return null;
    }
    Map<Integer, List<Entry>> lines = byFile.get(f.location().file());
    if (lines == null) {
      return null;
    }
    for (int line : new int[] {f.location().line(), f.location().line() - 1}) {
      for (Entry e : lines.getOrDefault(line, List.of())) {
        if (e.ruleIds().contains(f.ruleId())) {
          return e;
        }
      }
    }
    return null;
  }
}
