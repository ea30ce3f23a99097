package dev.trellis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trellis.analyze.TrellisVersion;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** What every command shares: one version, short usage errors, and a README that lists it all. */
class CliConsistencyTest {

  private static final Path README = Path.of("..", "README.md");
  private static final String CLEAN = "../static-analysis/src/test/resources/rules/";

  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  int run(String... args) {
    CommandLine cl = TrellisCli.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  @Test
  void theVersionIsTheMavenProjectVersionEverywhere() throws Exception {
    Matcher pom =
        Pattern.compile("<artifactId>trellis-parent</artifactId>\\s*<version>([^<]+)</version>")
            .matcher(Files.readString(Path.of("..", "pom.xml")));
    assertThat(pom.find()).isTrue();
    assertThat(TrellisVersion.get()).isEqualTo(pom.group(1));

    assertThat(run("-V")).isZero();
    assertThat(out.toString()).isEqualTo("trellis " + pom.group(1) + "\n");

    StringWriter sarif = new StringWriter();
    CommandLine cl = TrellisCli.commandLine();
    cl.setOut(new PrintWriter(sarif, true));
    cl.setErr(new PrintWriter(err, true));
    assertThat(
            cl.execute(
                "lint", "--defs", CLEAN + "TRL301-dependency-cycle/clean", "--format", "sarif"))
        .as(err::toString)
        .isZero();
    assertThat(
            new ObjectMapper()
                .readTree(sarif.toString())
                .at("/runs/0/tool/driver/version")
                .asText())
        .isEqualTo(pom.group(1));
  }

  @Test
  void aUsageErrorIsOneLineAndAPointerToHelp() {
    assertThat(run("render", "--defs", ".", "--bogus")).isEqualTo(TrellisCli.EXIT_USAGE);
    assertThat(err.toString())
        .isEqualTo("trellis: Unknown option: '--bogus'\nTry 'trellis render --help'\n");

    err.getBuffer().setLength(0);
    assertThat(run("rollout", "plan")).isEqualTo(TrellisCli.EXIT_USAGE);
    assertThat(err.toString())
        .isEqualTo(
            "trellis: Missing required option: '--defs=DIR'\nTry 'trellis rollout plan --help'\n");

    err.getBuffer().setLength(0);
    assertThat(run("serve")).isEqualTo(TrellisCli.EXIT_USAGE);
    assertThat(err.toString())
        .isEqualTo("trellis: give either --defs DIR or --git REPO\nTry 'trellis serve --help'\n");

    err.getBuffer().setLength(0);
    assertThat(run()).isEqualTo(TrellisCli.EXIT_USAGE);
    assertThat(err.toString())
        .isEqualTo("trellis: a subcommand is required\nTry 'trellis --help'\n");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void rolloutSaysDefsIsRequiredWhereverItNamesIt() {
    assertThat(run("rollout", "--help")).isZero();
    assertThat(out.toString())
        .contains("Usage: trellis rollout [-hV] --defs=DIR [COMMAND]")
        .doesNotContain("[--defs=DIR]");
    err.getBuffer().setLength(0);
    assertThat(run("rollout")).isEqualTo(TrellisCli.EXIT_USAGE);
    assertThat(err.toString())
        .isEqualTo(
            "trellis: Missing required option: '--defs=DIR'\nTry 'trellis rollout --help'\n");
  }

  @Test
  void theReadmeCommandTableListsEveryOptionOfEveryCommand() throws Exception {
    String readme = Files.readString(README);
    int start = readme.indexOf("## The `trellis` command");
    assertThat(start).as("README section").isNotNegative();
    List<String> rows =
        readme.substring(start).lines().takeWhile(l -> !l.startsWith("Exit codes")).toList();
    List<String> missing = new ArrayList<>();
    CommandSpec root = TrellisCli.commandLine().getCommandSpec();
    for (CommandLine top : root.subcommands().values()) {
      String name = top.getCommandName();
      if (name.equals("help")) {
        continue;
      }
      String prefix = "| `trellis " + name;
      String text =
          String.join(
              "\n",
              rows.stream()
                  .filter(r -> r.startsWith(prefix + " ") || r.startsWith(prefix + "`"))
                  .toList());
      if (text.isEmpty()) {
        missing.add("trellis " + name + " (no row)");
        continue;
      }
      for (CommandSpec cmd : withSubcommands(top.getCommandSpec())) {
        for (OptionSpec o : cmd.options()) {
          if (o.usageHelp() || o.versionHelp()) {
            continue;
          }
          boolean named = false;
          for (String option : o.names()) {
            named |=
                Pattern.compile("(?<![\\w-])" + Pattern.quote(option) + "(?![\\w-])")
                    .matcher(text)
                    .find();
          }
          if (!named) {
            missing.add(cmd.qualifiedName() + " " + o.longestName());
          }
        }
      }
    }
    assertThat(missing).as("options missing from the README's command table").isEmpty();
  }

  private static List<CommandSpec> withSubcommands(CommandSpec spec) {
    List<CommandSpec> all = new ArrayList<>(List.of(spec));
    for (CommandLine sub : spec.subcommands().values()) {
      all.addAll(withSubcommands(sub.getCommandSpec()));
    }
    return all;
  }
}
