package dev.trellis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Options of {@code trellis serve} that are refused before anything starts. */
class ServeCommandTest {

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
  void theAdminApiListensOnLoopbackUnlessToldOtherwiseAndApartFromXds() {
    ServeCommand defaults = new ServeCommand();
    new CommandLine(defaults).parseArgs("--defs", tmp.toString());
    assertThat(defaults.adminBind).isEqualTo("127.0.0.1");
    assertThat(defaults.bind).isEqualTo("0.0.0.0");

    ServeCommand chosen = new ServeCommand();
    new CommandLine(chosen)
        .parseArgs("--defs", tmp.toString(), "--admin-bind", "0.0.0.0", "--bind", "127.0.0.1");
    assertThat(chosen.adminBind).isEqualTo("0.0.0.0");
    assertThat(chosen.bind).isEqualTo("127.0.0.1");
  }

  @Test
  void adsTlsNeedsTheCaDirectory() throws Exception {
    Files.createDirectories(tmp.resolve("defs"));
    assertThat(run("serve", "--defs", tmp.resolve("defs").toString(), "--ads-tls"))
        .isEqualTo(TrellisCli.EXIT_USAGE);
    assertThat(err.toString())
        .contains("trellis: --ads-tls needs --ca-dir (the trust domain must be known at start)");
  }

  @Test
  void aCaDirectoryWithoutARootIsAUserError() throws Exception {
    Files.createDirectories(tmp.resolve("defs"));
    Files.createDirectories(tmp.resolve("ca"));
    assertThat(
            run(
                "serve",
                "--defs",
                tmp.resolve("defs").toString(),
                "--ca-dir",
                tmp.resolve("ca").toString()))
        .isEqualTo(TrellisCli.EXIT_INVALID);
    assertThat(err.toString()).startsWith("trellis: --ca-dir " + tmp.resolve("ca") + ": ");
  }

  @Test
  void oneSourceOfDefinitions() throws Exception {
    assertThat(run("serve")).isEqualTo(TrellisCli.EXIT_USAGE);
    assertThat(run("serve", "--defs", tmp.toString(), "--git", tmp.toString()))
        .isEqualTo(TrellisCli.EXIT_USAGE);
    assertThat(err.toString()).contains("trellis: give either --defs DIR or --git REPO");
  }

  @Test
  void aGitRepositoryThatCannotBeFetchedIsAUserError() {
    Path nowhere = tmp.resolve("nowhere");
    assertThat(
            run("serve", "--git", nowhere.toString(), "--git-dir", tmp.resolve("state").toString()))
        .isEqualTo(TrellisCli.EXIT_INVALID);
    assertThat(err.toString())
        .startsWith("trellis: --git " + nowhere + ": cannot fetch " + nowhere);
  }
}
