package dev.trellis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.analyze.lint.LintCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code trellis lint} and {@code trellis diff} are registered and keep the CLI's exit codes. */
class LintCliTest {

  private static final String CASES = "../static-analysis/src/test/resources/rules/";

  private static int run(StringWriter out, StringWriter err, String... args) {
    CommandLine cl = TrellisCli.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  @Test
  void exitCodesAreTheCliOnes() {
    assertThat(LintCommand.EXIT_FINDINGS).isEqualTo(TrellisCli.EXIT_INVALID);
    assertThat(LintCommand.EXIT_USAGE).isEqualTo(TrellisCli.EXIT_USAGE);
  }

  @Test
  void lintRunsThroughTheTrellisCommand() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    assertThat(run(out, err, "lint", "--defs", CASES + "TRL301-dependency-cycle/clean")).isZero();
    assertThat(out.toString()).isEqualTo("0 errors, 0 warnings, 0 info, 0 suppressed\n");

    out = new StringWriter();
    int exit = run(out, err, "lint", "--defs", CASES + "TRL307-sidecar-port-collision/violating");
    assertThat(exit).isEqualTo(TrellisCli.EXIT_INVALID);
    assertThat(out.toString()).endsWith("4 errors, 0 warnings, 0 info, 0 suppressed\n");

    err = new StringWriter();
    assertThat(run(new StringWriter(), err, "lint", "--format", "yaml"))
        .isEqualTo(TrellisCli.EXIT_USAGE);
    assertThat(err.toString()).startsWith("trellis: --format: expected one of");
  }

  @Test
  void diffIsRegistered() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    assertThat(run(out, err, "diff", "--help")).isZero();
    assertThat(out.toString()).contains("--base=GIT_REF");
    assertThat(run(new StringWriter(), err, "diff", "--defs", "."))
        .isEqualTo(TrellisCli.EXIT_USAGE);
    assertThat(err.toString()).contains("Missing required option: '--base=GIT_REF'");
  }
}
