package dev.trellis.analyze.report;

import dev.trellis.analyze.AnalysisResult;
import dev.trellis.analyze.Finding;
import dev.trellis.analyze.Level;
import dev.trellis.analyze.Rule;
import dev.trellis.analyze.RuleRegistry;

/**
 * GitHub Actions workflow commands, one per finding: {@code ::error
 * file=F,line=L,col=C,title=TRL201 name::message}; GitHub shows them as annotations on the diff.
 */
public final class GithubReporter implements Reporter {

  private final RuleRegistry registry;

  public GithubReporter(RuleRegistry registry) {
    this.registry = registry;
  }

  @Override
  public String render(AnalysisResult result) {
    StringBuilder out = new StringBuilder();
    for (Finding f : result.findings()) {
      String title =
          f.ruleId() + registry.rule(f.ruleId()).map(Rule::name).map(n -> " " + n).orElse("");
      out.append("::")
          .append(command(f.level()))
          .append(" file=")
          .append(property(f.location().file()))
          .append(",line=")
          .append(f.location().line())
          .append(",col=")
          .append(f.location().column())
          .append(",title=")
          .append(property(title))
          .append("::")
          .append(data(f.message()))
          .append('\n');
    }
    return out.toString();
  }

  private static String command(Level level) {
    return switch (level) {
      case ERROR -> "error";
      case WARNING -> "warning";
      case INFO -> "notice";
    };
  }

  /** The escaping GitHub's runner reverses for a command's message. */
  static String data(String s) {
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A");
  }

  /** Property values also must not contain the separators ':' and ','. */
  static String property(String s) {
    return data(s).replace(":", "%3A").replace(",", "%2C");
  }
}
