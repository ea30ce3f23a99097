package dev.trellis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.analyze.lint.LintCommand;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code trellis lint} and {@code trellis diff} are registered and keep the CLI's exit codes. */
class LintCliTest {

  private static final String CASES = "../static-analysis/src/test/resources/rules/";
  private static final String MARKER = "TRELLIS-SECRET-MARKER-c41e";
  private static final String SERVICE = "name: web\nowner: team-web\nprotocol: http\nport: 8080\n";

  @TempDir Path tmp;

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

  /** Issue #11 row 4: what a symlink out of the tree points at never reaches a report. */
  @Test
  void aSymlinkToASecretIsRefusedAndTheSecretIsInNoReport() throws IOException {
    Path secret = tmp.resolve("outside/passwd");
    Files.createDirectories(secret.getParent());
    Files.writeString(secret, "root:x:0:0:" + MARKER + ":/root:/bin/bash\nname: " + MARKER + "\n");
    Path defs = tmp.resolve("defs");
    Files.createDirectories(defs.resolve("services"));
    Files.writeString(defs.resolve("services/web.yaml"), SERVICE);
    Files.createSymbolicLink(defs.resolve("services/x.yaml"), secret);

    StringWriter text = new StringWriter();
    int exit = run(text, new StringWriter(), "lint", "--defs", defs.toString());
    StringWriter sarif = new StringWriter();
    run(sarif, new StringWriter(), "lint", "--defs", defs.toString(), "--format", "sarif");
    StringWriter json = new StringWriter();
    run(json, new StringWriter(), "lint", "--defs", defs.toString(), "--format", "json");

    assertThat(exit).isEqualTo(TrellisCli.EXIT_INVALID);
    assertThat(text.toString())
        .isEqualTo(
            "services/x.yaml:1:1: error[TRL103]: is a symlink outside the definitions directory\n"
                + "1 error, 0 warnings, 0 info, 0 suppressed\n");
    assertThat(sarif.toString())
        .contains("\"text\": \"is a symlink outside the definitions directory\"")
        .contains("\"uri\": \"services/x.yaml\"")
        .doesNotContain(MARKER);
    assertThat(json.toString()).contains("services/x.yaml").doesNotContain(MARKER);
  }

  /**
   * Issue #11 row 9: a 50 MB comment line took 552 s to lint. It is refused by its first 16 KiB
   * (the counted bound of the read is pinned in HostileDefinitionsTest; here, the whole path).
   */
  @Test
  void aFiftyMegabyteCommentLineIsRefusedAtItsLine() throws IOException {
    Path defs = tmp.resolve("defs");
    Files.createDirectories(defs.resolve("services"));
    Path big = defs.resolve("services/web.yaml");
    byte[] chunk = new byte[1 << 20];
    Arrays.fill(chunk, (byte) 'a');
    try (OutputStream out = Files.newOutputStream(big)) {
      out.write((SERVICE + "# ").getBytes(StandardCharsets.UTF_8));
      for (int i = 0; i < 50; i++) {
        out.write(chunk);
      }
      out.write('\n');
    }

    StringWriter text = new StringWriter();
    int exit = run(text, new StringWriter(), "lint", "--defs", defs.toString());

    assertThat(exit).isEqualTo(TrellisCli.EXIT_INVALID);
    assertThat(text.toString())
        .isEqualTo(
            "services/web.yaml:5:1: error[TRL103]: line is longer than 16384 bytes (16 KiB), the"
                + " limit for a line of a definitions file\n"
                + "1 error, 0 warnings, 0 info, 0 suppressed\n");
  }
}
