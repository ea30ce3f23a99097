package dev.trellis.analyze.diff;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.analyze.lint.LintCommand;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code trellis diff} on a temporary Git repository made with JGit, whose definitions live in a
 * subdirectory ({@code deploy/mesh}) beside a sibling directory with a similar name.
 */
class DiffCommandTest {

  @TempDir Path repo;
  private Path defs;
  private Git git;

  record Run(int exit, String out, String err) {}

  private static Run run(String... args) {
    CommandLine cl = new CommandLine(new DiffCommand());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    cl.setParameterExceptionHandler(
        (ex, a) -> {
          ex.getCommandLine().getErr().println("trellis: " + ex.getMessage());
          return LintCommand.EXIT_USAGE;
        });
    int exit = cl.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  private void write(String path, String text) throws IOException {
    Path file = repo.resolve(path);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }

  private void commit(String message) throws Exception {
    git.add().addFilepattern(".").call();
    git.add().addFilepattern(".").setUpdate(true).call();
    PersonIdent who = new PersonIdent("Trellis Test", "test@example.invalid");
    git.commit().setMessage(message).setAuthor(who).setCommitter(who).setSign(false).call();
  }

  private static String service(String name, String extra) {
    return """
        name: %s
        owner: team-%s
        protocol: http
        port: 8080
        sidecar: true
        endpoints:
          static: ["10.0.0.1:8080"]
        %s"""
        .formatted(name, name, extra);
  }

  @BeforeEach
  void base() throws Exception {
    git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call();
    defs = repo.resolve("deploy/mesh");
    write("deploy/mesh/mesh.yaml", "name: shop\n");
    write(
        "deploy/mesh/services/payments.yaml",
        service(
            "payments",
            "dependencies:\n  - name: ledger\n    timeout: 2s\n  - name: audit\n    timeout: 1s\n"));
    write("deploy/mesh/services/ledger.yaml", service("ledger", ""));
    write("deploy/mesh/services/audit.yaml", service("audit", ""));
    // Not part of the definitions: a sibling whose name starts alike, and a file outside.
    write("deploy/mesh2/services/broken.yaml", "not: a service\n");
    write("README.md", "# shop\n");
    commit("base");
  }

  @Test
  void printsAddedRemovedAndChangedResourcesPerGroupWithFieldPaths() throws Exception {
    write(
        "deploy/mesh/services/payments.yaml",
        service(
            "payments",
            "dependencies:\n  - name: ledger\n    timeout: 3s\n    retries: 2\n"
                + "  - name: fraud\n    timeout: 800ms\n"));
    write("deploy/mesh/services/fraud.yaml", service("fraud", ""));
    Run run = run("--defs", defs.toString(), "--base", "HEAD");
    assertThat(run.err()).isEmpty();
    assertThat(run.exit()).isZero();
    assertThat(run.out())
        .isEqualTo(
            String.join(
                "\n",
                "--- HEAD",
                "+++ working tree",
                "@@ fraud (sidecar): new group, 3 resources @@",
                "+ clusters/local_app",
                "+ listeners/inbound",
                "+ routes/inbound",
                "@@ payments (sidecar): 2 added, 2 removed, 1 changed @@",
                "- clusters/audit",
                "+ clusters/fraud",
                "- endpoints/audit",
                "+ endpoints/fraud",
                "~ routes/outbound virtual_hosts[ledger].routes[0].route.timeout: 2s → 3s",
                "~ routes/outbound virtual_hosts[ledger].routes[0].route.retry_policy: (none) →"
                    + " {\"retry_on\":\"5xx,reset,connect-failure\",\"num_retries\":2,"
                    + "\"retry_host_predicate\":[{\"name\":"
                    + "\"envoy.retry_host_predicates.previous_hosts\",\"typed_config\":"
                    + "{\"@type\":\"type.googleapis.com/envoy.extensions.retry… (291 characters)",
                "~ routes/outbound virtual_hosts[audit]: {\"name\":\"audit\",\"domains\":"
                    + "[\"audit\",\"audit:8080\"],\"routes\":[{\"match\":{\"prefix\":\"/\"},"
                    + "\"route\":{\"cluster\":\"audit\",\"timeout\":\"1s\"}}]} → (none)",
                "~ routes/outbound virtual_hosts[fraud]: (none) → {\"name\":\"fraud\",\"domains\":"
                    + "[\"fraud\",\"fraud:8080\"],\"routes\":[{\"match\":{\"prefix\":\"/\"},"
                    + "\"route\":{\"cluster\":\"fraud\",\"timeout\":\"0.800s\"}}]}",
                "1 changed, 1 added, 0 removed, 2 unchanged groups",
                ""));
  }

  @Test
  void noChangesIsSaidSo() {
    Run run = run("--defs", defs.toString(), "--base", "main");
    assertThat(run.out()).isEqualTo("--- main\n+++ working tree\nno changes in 3 groups\n");
    assertThat(run.exit()).isZero();
  }

  @Test
  void theDefinitionsMayBeAtTheTopOfTheRepository() throws Exception {
    Path top = repo.resolve("top");
    Git.init().setDirectory(top.toFile()).setInitialBranch("main").call().close();
    Files.writeString(top.resolve("mesh.yaml"), "name: top\n");
    Files.createDirectories(top.resolve("services"));
    Files.writeString(top.resolve("services/web.yaml"), service("web", ""));
    try (Git inner = Git.open(top.toFile())) {
      inner.add().addFilepattern(".").call();
      PersonIdent who = new PersonIdent("Trellis Test", "test@example.invalid");
      inner.commit().setMessage("top").setAuthor(who).setCommitter(who).setSign(false).call();
    }
    Files.writeString(top.resolve("services/web.yaml"), service("web", "mtls: strict\n"));
    Run run = run("--defs", top.toString(), "--base", "HEAD");
    assertThat(run.exit()).isZero();
    assertThat(run.out())
        .startsWith("--- HEAD\n+++ working tree\n@@ web (sidecar): 1 changed @@\n");
  }

  @Test
  void aBaseThatDoesNotLoadIsReported() throws Exception {
    write("deploy/mesh/services/ledger.yaml", "name: ledger\n");
    commit("broken ledger");
    write("deploy/mesh/services/ledger.yaml", service("ledger", ""));
    Run run = run("--defs", defs.toString(), "--base", "HEAD");
    assertThat(run.exit()).isEqualTo(LintCommand.EXIT_FINDINGS);
    assertThat(run.out()).isEmpty();
    assertThat(run.err())
        .startsWith(
            "trellis diff: the definitions of HEAD do not load:\n"
                + "services/ledger.yaml:1:1: missing required field 'owner'\n");
  }

  @Test
  void unknownRevisionsAndDirectoriesOutsideGitAreUsageErrors(@TempDir Path elsewhere) {
    Run unknown = run("--defs", defs.toString(), "--base", "no-such-branch");
    assertThat(unknown.exit()).isEqualTo(LintCommand.EXIT_USAGE);
    assertThat(unknown.err()).startsWith("trellis: --base: unknown revision 'no-such-branch'");

    Run outside = run("--defs", elsewhere.toString(), "--base", "HEAD");
    assertThat(outside.exit()).isEqualTo(LintCommand.EXIT_USAGE);
    assertThat(outside.err())
        .startsWith("trellis: --base: " + elsewhere + " is not inside a Git repository");
  }
}
