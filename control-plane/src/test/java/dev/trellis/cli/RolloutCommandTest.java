package dev.trellis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code trellis rollout} and {@code trellis rollout plan} on samples/mesh, pinned by the files in
 * samples/mesh/rollout (regenerate them with the commands when the sample changes on purpose).
 */
class RolloutCommandTest {

  private static final Path SAMPLE = Path.of("..", "samples", "mesh");
  private static final Path EXPECTED = SAMPLE.resolve("rollout");

  @TempDir Path tmp;
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  int run(String... args) {
    CommandLine cl = TrellisCli.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  @Test
  void tableOfTheSampleMesh() throws Exception {
    assertThat(run("rollout", "--defs", SAMPLE.toString())).as(err::toString).isZero();
    assertThat(out.toString()).isEqualTo(Files.readString(EXPECTED.resolve("rollout.txt")));
  }

  @Test
  void planOfTheSampleMesh() throws Exception {
    assertThat(run("rollout", "plan", "--defs", SAMPLE.toString())).as(err::toString).isZero();
    assertThat(out.toString()).isEqualTo(Files.readString(EXPECTED.resolve("plan.txt")));
  }

  @Test
  void planWithAuditObservations() throws Exception {
    int code =
        run(
            "rollout",
            "plan",
            "--defs",
            SAMPLE.toString(),
            "--audit",
            EXPECTED.resolve("audit.json").toString());
    assertThat(code).as(err::toString).isZero();
    assertThat(out.toString())
        .isEqualTo(Files.readString(EXPECTED.resolve("plan-with-audit.txt")))
        .contains("Blocked: cart stays at authz: audit");
  }

  @Test
  void invalidDefinitionsAndAuditFilesAreUserErrors() throws Exception {
    Files.createDirectories(tmp.resolve("defs/services"));
    Files.writeString(tmp.resolve("defs/services/a.yaml"), "name: a\n");
    assertThat(run("rollout", "--defs", tmp.resolve("defs").toString()))
        .isEqualTo(TrellisCli.EXIT_INVALID);
    assertThat(err.toString()).contains("services/a.yaml:1:1: missing required field 'owner'");

    Path audit = tmp.resolve("audit.json");
    Files.writeString(audit, "{\"cart\": {\"spiffe://x/service/y\": \"many\"}}");
    assertThat(run("rollout", "plan", "--defs", SAMPLE.toString(), "--audit", audit.toString()))
        .isEqualTo(TrellisCli.EXIT_INVALID);
    assertThat(err.toString())
        .contains(
            "trellis: --audit: "
                + audit
                + ": 'cart'.'spiffe://x/service/y': expected a count of calls, got \"many\"");
  }

  @Test
  void defsIsRequired() {
    assertThat(run("rollout")).isEqualTo(TrellisCli.EXIT_USAGE);
    assertThat(err.toString()).contains("Missing required option: '--defs=DIR'");
  }
}
