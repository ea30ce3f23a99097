package dev.trellis.analyze.lint;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trellis.analyze.Analyzer;
import dev.trellis.analyze.Level;
import dev.trellis.analyze.MeshCheck;
import dev.trellis.analyze.MeshContext;
import dev.trellis.analyze.Rule;
import dev.trellis.analyze.RuleRegistry;
import dev.trellis.render.EnvoyTypes;
import dev.trellis.render.MeshRenderer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import picocli.CommandLine;

/**
 * {@code trellis lint} run in-process, with the CLI's exit-code conventions, on the fixture repo
 * {@code lint/shop} (an mTLS error, an edge warning, a suppressed cycle) and on the rule cases.
 * Golden reports sit beside the fixture.
 */
class LintCommandTest {

  static final Path SHOP = Path.of("src", "test", "resources", "lint", "shop");
  static final Path CASES = RuleCasesTest.CASES;

  @TempDir Path temp;

  record Run(int exit, String out, String err) {}

  /** Runs the command as {@code TrellisCli} would: usage and internal errors exit 2. */
  static Run run(LintCommand command, String... args) {
    CommandLine cl = new CommandLine(command);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    cl.setExitCodeExceptionMapper(e -> LintCommand.EXIT_USAGE);
    cl.setParameterExceptionHandler(
        (ex, a) -> {
          ex.getCommandLine().getErr().println("trellis: " + ex.getMessage());
          return LintCommand.EXIT_USAGE;
        });
    cl.setExecutionExceptionHandler(
        (ex, c, p) -> {
          c.getErr().println("trellis: internal error: " + ex);
          return LintCommand.EXIT_USAGE;
        });
    int exit = cl.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  static Run run(String... args) {
    return run(new LintCommand(), args);
  }

  /** {@code actual} equals the golden file {@code lint/shop-<name>} (rewritten on request). */
  private static void assertGolden(String name, String actual) throws IOException {
    Path file = SHOP.resolveSibling("shop-" + name);
    if (Boolean.getBoolean("trellis.golden.write")) {
      Files.writeString(file, actual, StandardCharsets.UTF_8);
    }
    assertThat(actual).isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
  }

  @Test
  void textReportListsFindingsSortedWithCountsAndFailsOnTheError() throws IOException {
    Run run = run("--defs", SHOP.toString());
    assertGolden("expected.txt", run.out());
    assertThat(run.err()).isEmpty();
    assertThat(run.exit()).isEqualTo(LintCommand.EXIT_FINDINGS);
  }

  @Test
  void jsonReportListsTheSuppressedFindingsWithTheirReason() throws IOException {
    Run run = run("--defs", SHOP.toString(), "--format", "json");
    assertGolden("expected.json", run.out());
    JsonNode root = new ObjectMapper().readTree(run.out());
    assertThat(root.path("counts").path("suppressed").asInt()).isEqualTo(1);
    assertThat(root.path("suppressed").get(0).path("ruleId").asText()).isEqualTo("TRL301");
    assertThat(run.exit()).isEqualTo(LintCommand.EXIT_FINDINGS);
  }

  @Test
  void githubReportIsOneAnnotationPerFinding() throws IOException {
    Run run = run("--defs", SHOP.toString(), "--format", "github", "--path-prefix", "defs");
    assertGolden("expected-github.txt", run.out());
  }

  @Test
  void sarifHasEveryRuleAndAFingerprintedResultPerFinding() throws IOException {
    Run run = run("--defs", SHOP.toString(), "--format", "sarif", "--path-prefix", "./defs/");
    JsonNode sarif = new ObjectMapper().readTree(run.out());
    assertThat(sarif.path("version").asText()).isEqualTo("2.1.0");
    JsonNode driver = sarif.path("runs").get(0).path("tool").path("driver");
    assertThat(driver.path("rules").size())
        .isEqualTo(Analyzer.standard().registry().rules().size());
    JsonNode results = sarif.path("runs").get(0).path("results");
    List<String> uris = new ArrayList<>();
    for (JsonNode r : results) {
      uris.add(
          r.path("locations")
              .get(0)
              .path("physicalLocation")
              .path("artifactLocation")
              .path("uri")
              .asText());
      assertThat(r.path("partialFingerprints").size()).isEqualTo(1);
    }
    assertThat(uris)
        .containsExactly(
            "defs/services/ledger.yaml", "defs/services/web.yaml", "defs/services/payments.yaml");
    assertThat(results.get(2).path("suppressions").get(0).path("kind").asText())
        .isEqualTo("inSource");
    assertThat(run.exit()).isEqualTo(LintCommand.EXIT_FINDINGS);
  }

  @Test
  void junitReportFailsOnlyTheRulesWithFindingsAtTheThreshold() throws Exception {
    Run run = run("--defs", SHOP.toString(), "--format", "junit");
    Document xml =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(new ByteArrayInputStream(run.out().getBytes(StandardCharsets.UTF_8)));
    assertThat(xml.getElementsByTagName("testcase").getLength())
        .isEqualTo(Analyzer.standard().registry().rules().size());
    assertThat(xml.getElementsByTagName("failure").getLength()).as("the error").isEqualTo(1);
    assertThat(xml.getElementsByTagName("system-out").getLength()).as("the warning").isEqualTo(1);
    assertThat(run.exit()).isEqualTo(LintCommand.EXIT_FINDINGS);

    Run strict = run("--defs", SHOP.toString(), "--format", "junit", "--fail-on", "warning");
    Document both =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(new ByteArrayInputStream(strict.out().getBytes(StandardCharsets.UTF_8)));
    assertThat(both.getElementsByTagName("failure").getLength()).isEqualTo(2);
    assertThat(both.getElementsByTagName("system-out").getLength()).isZero();
  }

  @Test
  void outputIsTheSameOnEveryRun() {
    for (String format : List.of("text", "json", "sarif", "junit", "github")) {
      assertThat(run("--defs", SHOP.toString(), "--format", format).out())
          .as(format)
          .isEqualTo(run("--defs", SHOP.toString(), "--format", format).out());
    }
  }

  @Test
  void warningsFailOnlyWithFailOnWarning() {
    String defs = CASES.resolve("TRL301-dependency-cycle/violating").toString();
    assertThat(run("--defs", defs).exit()).isZero();
    assertThat(run("--defs", defs, "--fail-on", "warning").exit())
        .isEqualTo(LintCommand.EXIT_FINDINGS);
    assertThat(run("--defs", defs, "--fail-on", "ERROR").exit()).isZero();
    Run clean = run("--defs", CASES.resolve("TRL301-dependency-cycle/clean").toString());
    assertThat(clean.exit()).isZero();
    assertThat(clean.out()).isEqualTo("0 errors, 0 warnings, 0 info, 0 suppressed\n");
  }

  @Test
  void definitionsThatDoNotLoadAreFindingsInTheChosenFormat() throws IOException {
    Run run =
        run(
            "--defs",
            CASES.resolve("TRL103-definition-invalid/violating").toString(),
            "--format",
            "json");
    JsonNode findings = new ObjectMapper().readTree(run.out()).path("findings");
    assertThat(findings.size()).isEqualTo(4);
    findings.forEach(f -> assertThat(f.path("ruleId").asText()).isEqualTo("TRL103"));
    assertThat(findings.get(0).path("location").path("file").asText())
        .isEqualTo("services/ledger.yaml");
    assertThat(run.exit()).isEqualTo(LintCommand.EXIT_FINDINGS);
  }

  @Test
  void aBaselineLetsOnlyNewFindingsFail() throws IOException {
    Path defs = copy(SHOP, temp.resolve("shop"));
    Path baseline = temp.resolve("ci/lint-baseline.json");

    Run adopt = run("--defs", defs.toString(), "--write-baseline", baseline.toString());
    assertThat(adopt.exit()).isZero();
    assertThat(adopt.err())
        .isEqualTo("trellis lint: wrote 2 findings to baseline " + baseline + "\n");
    assertThat(adopt.out()).isEqualTo("0 errors, 0 warnings, 0 info, 3 suppressed\n");
    assertThat(Files.readString(baseline)).contains("\"ruleId\": \"TRL304\"");

    Run again = run("--defs", defs.toString(), "--baseline", baseline.toString());
    assertThat(again.exit()).isZero();
    assertThat(again.out()).isEqualTo(adopt.out());

    Files.writeString(
        defs.resolve("services/reports.yaml"),
        """
        name: reports
        owner: team-payments
        protocol: http
        port: 8080
        endpoints:
          static: ["10.0.0.6:8080"]
        dependencies:
          - name: ledger
        """);
    Run fresh = run("--defs", defs.toString(), "--baseline", baseline.toString());
    assertThat(fresh.exit()).isEqualTo(LintCommand.EXIT_FINDINGS);
    assertThat(fresh.out())
        .isEqualTo(
            "services/ledger.yaml:6:7: error[TRL304]: service 'ledger' is 'mtls: strict', but its"
                + " caller 'reports' (services/reports.yaml:8:5) has no sidecar and connects in"
                + " plaintext: those calls would fail\n"
                + "1 error, 0 warnings, 0 info, 3 suppressed\n");
  }

  @Test
  void aReportCanGoToAFile() throws IOException {
    Path out = temp.resolve("reports/lint.sarif");
    Run run = run("--defs", SHOP.toString(), "--format", "sarif", "--output", out.toString());
    assertThat(run.out()).isEmpty();
    assertThat(run.err())
        .isEqualTo(
            "trellis lint: 1 error, 1 warning, 0 info, 1 suppressed (report in " + out + ")\n");
    assertThat(Files.readString(out)).startsWith("{").contains("\"ruleId\": \"TRL304\"");
    assertThat(run.exit()).isEqualTo(LintCommand.EXIT_FINDINGS);
  }

  @Test
  void listRulesPrintsEveryRuleWithItsDocumentation() throws IOException {
    RuleRegistry registry = Analyzer.standard().registry();
    Run text = run("--list-rules");
    assertThat(text.exit()).isZero();
    List<String> headings =
        text.out().lines().filter(l -> l.startsWith("TRL")).map(l -> l.split(" ")[0]).toList();
    assertThat(headings)
        .containsExactlyElementsOf(registry.rules().stream().map(Rule::id).toList());
    assertThat(text.out())
        .contains(
            "TRL301 dependency-cycle (warning): Services depend on each other in a cycle.\n"
                + "    When a call can come back to a service that is waiting for it, timeouts"
                + " stack up around the\n"
                + "    cycle, retries multiply at every hop");

    Run json = run("--list-rules", "--format", "json");
    JsonNode rules = new ObjectMapper().readTree(json.out()).path("rules");
    assertThat(rules.size()).isEqualTo(registry.rules().size());
    assertThat(rules.get(0).path("id").asText()).isEqualTo("TRL101");
    assertThat(rules.get(0).path("category").asText()).isEqualTo("definitions");
  }

  @Test
  void withAuditDataEnforceIsRefusedAtAServiceThatSawCallersItDoesNotAllow() throws IOException {
    String defs = CASES.resolve("TRL404-enforce-without-mtls").resolve("clean").toString();
    Path audit =
        Files.writeString(
            temp.resolve("audit.json"),
            "{\"api\": {\"spiffe://td.example/service/batch\": 7}}",
            StandardCharsets.UTF_8);
    assertThat(run("--defs", defs).exit()).isZero();

    Run run = run("--defs", defs, "--audit", audit.toString());

    assertThat(run.exit()).isEqualTo(LintCommand.EXIT_FINDINGS);
    assertThat(run.out())
        .startsWith(
            "services/api.yaml:7:8: error[TRL405]: Service 'api' has authz: enforce, but its audit"
                + " saw callers it does not allow: 'spiffe://td.example/service/batch' (7 calls).");
  }

  @Test
  void usageErrorsExitTwoWithAMessage() throws IOException {
    Path notJson = Files.writeString(temp.resolve("baseline.json"), "not json");
    String defs = SHOP.toString();
    record Case(List<String> args, String message) {}
    for (Case c :
        List.of(
            new Case(List.of(), "trellis: --defs DIR is required (or --list-rules)"),
            new Case(
                List.of("--defs", defs, "--format", "xml"),
                "trellis: --format: expected one of text, json, sarif, junit, github; got 'xml'"),
            new Case(
                List.of("--defs", defs, "--fail-on", "info"),
                "trellis: --fail-on: expected error or warning; got 'info'"),
            new Case(
                List.of("--defs", temp.resolve("nowhere").toString()),
                "trellis: --defs: " + temp.resolve("nowhere") + " is not a directory"),
            new Case(
                List.of("--defs", defs, "--baseline", temp.resolve("none.json").toString()),
                "trellis: --baseline: " + temp.resolve("none.json") + " does not exist"),
            new Case(
                List.of("--defs", defs, "--baseline", notJson.toString()),
                "trellis: --baseline: " + notJson + ": baseline is not JSON: "),
            new Case(
                List.of("--defs", defs, "--audit", notJson.toString()),
                "trellis: --audit: " + notJson + ": not JSON: "),
            new Case(
                List.of("--defs", defs, "--envoy", temp.resolve("envoy").toString()),
                "trellis: --envoy: " + temp.resolve("envoy") + " is not an executable file"),
            new Case(
                List.of("--defs", defs, "--envoy-timeout", "soon"),
                "trellis: Invalid value for option '--envoy-timeout'"),
            new Case(
                List.of("--list-rules", "--format", "sarif"),
                "trellis: --list-rules prints text or json, not sarif"),
            new Case(List.of("--defs"), "trellis: Missing required parameter for option"))) {
      Run run = run(c.args().toArray(String[]::new));
      assertThat(run.exit()).as("%s", c.args()).isEqualTo(LintCommand.EXIT_USAGE);
      assertThat(run.err()).as("%s", c.args()).startsWith(c.message());
      assertThat(run.out()).isEmpty();
    }
  }

  @Test
  void aFailingCheckIsAnInternalError() {
    Rule rule = new Rule("TRL399", "broken", Level.ERROR, "Broken.", "A check that throws.");
    MeshCheck failing =
        new MeshCheck() {
          @Override
          public List<Rule> rules() {
            return List.of(rule);
          }

          @Override
          public void check(MeshContext context) {
            throw new IllegalStateException("boom");
          }
        };
    LintCommand command =
        new LintCommand(
            () ->
                new Linter(
                    new Analyzer(
                        new RuleRegistry(List.of(), List.of(failing), List.of()),
                        EnvoyTypes.registry()),
                    new MeshRenderer()));
    Run run = run(command, "--defs", SHOP.toString());
    assertThat(run.exit()).isEqualTo(LintCommand.EXIT_USAGE);
    assertThat(run.err()).startsWith("trellis: internal error: ").contains("failed on the mesh");
  }

  private static Path copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : files.toList()) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target);
        }
      }
    }
    return to;
  }
}
