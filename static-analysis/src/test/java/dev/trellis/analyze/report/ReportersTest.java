package dev.trellis.analyze.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trellis.analyze.AnalysisResult;
import dev.trellis.analyze.Finding;
import dev.trellis.analyze.GroupCheck;
import dev.trellis.analyze.GroupContext;
import dev.trellis.analyze.Level;
import dev.trellis.analyze.Rule;
import dev.trellis.analyze.RuleRegistry;
import dev.trellis.analyze.SuppressedFinding;
import dev.trellis.analyze.Suppression;
import dev.trellis.model.SourceLocation;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Every reporter on one result holding findings with and without a group, characters that need
 * escaping in each format, a comment suppression and a baseline suppression; golden files beside
 * this class hold the expected output.
 */
class ReportersTest {

  private static final Rule ROUTE =
      new Rule(
          "TRL203",
          "route-to-unknown-cluster",
          Level.ERROR,
          "Route to a missing cluster.",
          "Doc of 203.");
  private static final Rule EDS =
      new Rule(
          "TRL205",
          "eds-cluster-without-assignment",
          Level.ERROR,
          "EDS without CLA.",
          "Doc of 205.");
  private static final Rule EMPTY =
      new Rule(
          "TRL206", "eds-assignment-without-endpoints", Level.WARNING, "Empty CLA.", "Doc of 206.");
  private static final Rule META =
      new Rule("TRL101", "suppression-without-reason", Level.ERROR, "No reason.", "Doc of 101.");
  private static final Rule NOTE =
      new Rule("TRL301", "just-so-you-know", Level.INFO, "An info rule.", "Doc of 301.");

  static final RuleRegistry REGISTRY =
      new RuleRegistry(
          List.of(
              new GroupCheck() {
                @Override
                public List<Rule> rules() {
                  return List.of(ROUTE, EDS, EMPTY, NOTE);
                }

                @Override
                public void check(GroupContext context) {}
              }),
          List.of(),
          List.of(META));

  private static SourceLocation at(String file, int line, int col) {
    return new SourceLocation(file, line, col);
  }

  static final Finding ROUTE_FINDING =
      new Finding(
          "TRL203",
          Level.ERROR,
          "RouteConfiguration 'outbound': route virtual_hosts[0].routes[0] (virtual host 'ledger')"
              + " sends traffic to cluster 'ledgr', which the group does not define [group"
              + " 'payments', template 'sidecar.yaml.j2' line 12]",
          at("services/payments.yaml", 9, 11),
          Optional.of("payments"),
          Optional.of("RouteConfiguration/outbound"));

  static final Finding ODD_FINDING =
      new Finding(
          "TRL206",
          Level.WARNING,
          "ClusterLoadAssignment 'ledger': \"quoted\" & <xml> at 100%, a:b\nsecond line",
          at("services/ledger.yaml", 4, 3),
          Optional.of("payments"),
          Optional.of("ClusterLoadAssignment/ledger"));

  static final Finding META_FINDING =
      new Finding(
          "TRL101",
          Level.ERROR,
          "trellis:ignore TRL203 gives no reason; add reason=\"...\"",
          at("mesh.yaml", 2, 1),
          Optional.empty(),
          Optional.empty());

  static final Finding INFO_FINDING =
      new Finding(
          "TRL301", Level.INFO, "FYI", at("mesh.yaml", 7, 1), Optional.empty(), Optional.empty());

  static final SuppressedFinding BY_COMMENT =
      new SuppressedFinding(
          new Finding(
              "TRL205",
              Level.ERROR,
              "Cluster 'ledger': EDS cluster has no ClusterLoadAssignment 'ledger' in the group",
              at("services/payments.yaml", 9, 11),
              Optional.of("payments"),
              Optional.of("Cluster/ledger")),
          Suppression.comment("k8s fills it", at("services/payments.yaml", 8, 1)));

  static final SuppressedFinding BY_BASELINE =
      new SuppressedFinding(
          new Finding(
              "TRL206",
              Level.WARNING,
              "ClusterLoadAssignment 'audit': has no endpoints",
              at("services/audit.yaml", 1, 1),
              Optional.of("audit"),
              Optional.of("ClusterLoadAssignment/audit")),
          Suppression.baseline("lint-baseline.json"));

  static AnalysisResult result() {
    return new AnalysisResult(
        List.of(ROUTE_FINDING, ODD_FINDING, META_FINDING, INFO_FINDING),
        List.of(BY_COMMENT, BY_BASELINE));
  }

  /**
   * The golden file's text. When the actual output differs it is written to
   * target/golden-actual/NAME, ready to review and copy over the golden file.
   */
  private static String golden(String name, String actual) throws IOException {
    String expected = "";
    try (InputStream in = ReportersTest.class.getResourceAsStream("golden/" + name)) {
      if (in != null) {
        expected = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    }
    if (!expected.equals(actual)) {
      Path out = Path.of("target", "golden-actual", name);
      Files.createDirectories(out.getParent());
      Files.writeString(out, actual, StandardCharsets.UTF_8);
    }
    return expected;
  }

  private static Reporter reporter(ReportFormat format) {
    return format == ReportFormat.SARIF
        ? new SarifReporter(REGISTRY, "1.2.3")
        : format.reporter(REGISTRY, Level.ERROR);
  }

  private static String file(ReportFormat format) {
    return switch (format) {
      case TEXT -> "text.txt";
      case JSON -> "report.json";
      case SARIF -> "report.sarif";
      case JUNIT -> "junit.xml";
      case GITHUB -> "github.txt";
    };
  }

  @ParameterizedTest
  @EnumSource(ReportFormat.class)
  void matchesGoldenFile(ReportFormat format) throws IOException {
    String actual = reporter(format).render(result());
    assertThat(actual).isEqualTo(golden(file(format), actual));
  }

  @ParameterizedTest
  @EnumSource(ReportFormat.class)
  void outputDoesNotDependOnInputOrder(ReportFormat format) {
    List<Finding> findings = new ArrayList<>(result().findings());
    List<SuppressedFinding> suppressed = new ArrayList<>(result().suppressed());
    Collections.reverse(findings);
    Collections.reverse(suppressed);
    assertThat(reporter(format).render(new AnalysisResult(findings, suppressed)))
        .isEqualTo(reporter(format).render(result()));
  }

  @Test
  void sarifHasTheStructureCodeScanningReads() throws IOException {
    JsonNode root =
        new ObjectMapper().readTree(new SarifReporter(REGISTRY, "1.2.3").render(result()));
    assertThat(root.path("version").asText()).isEqualTo("2.1.0");
    assertThat(root.path("$schema").asText()).endsWith("sarif-schema-2.1.0.json");
    JsonNode run = root.path("runs").get(0);
    JsonNode driver = run.path("tool").path("driver");
    assertThat(driver.path("name").asText()).isEqualTo("Trellis");
    JsonNode rules = driver.path("rules");
    assertThat(rules).hasSize(5);
    JsonNode route = rules.get(1);
    assertThat(route.path("id").asText()).isEqualTo("TRL203");
    assertThat(route.path("shortDescription").path("text").asText())
        .isEqualTo("Route to a missing cluster.");
    assertThat(route.path("fullDescription").path("text").asText()).isEqualTo("Doc of 203.");
    assertThat(route.path("defaultConfiguration").path("level").asText()).isEqualTo("error");
    assertThat(rules.get(4).path("defaultConfiguration").path("level").asText()).isEqualTo("note");

    JsonNode results = run.path("results");
    assertThat(results).hasSize(6);
    JsonNode first = results.get(0);
    assertThat(first.path("ruleId").asText()).isEqualTo("TRL101");
    assertThat(first.path("ruleIndex").asInt()).isZero();
    JsonNode routeResult = results.get(3);
    assertThat(routeResult.path("ruleId").asText()).isEqualTo("TRL203");
    assertThat(rules.get(routeResult.path("ruleIndex").asInt()).path("id").asText())
        .isEqualTo("TRL203");
    assertThat(routeResult.path("level").asText()).isEqualTo("error");
    assertThat(routeResult.path("message").path("text").asText())
        .isEqualTo(ROUTE_FINDING.message());
    JsonNode physical = routeResult.path("locations").get(0).path("physicalLocation");
    assertThat(physical.path("artifactLocation").path("uri").asText())
        .isEqualTo("services/payments.yaml");
    assertThat(physical.path("region").path("startLine").asInt()).isEqualTo(9);
    assertThat(physical.path("region").path("startColumn").asInt()).isEqualTo(11);
    assertThat(routeResult.path("partialFingerprints").path(SarifReporter.FINGERPRINT_KEY).asText())
        .isEqualTo(ROUTE_FINDING.fingerprint());
    assertThat(routeResult.has("suppressions")).isFalse();

    List<String> suppressionKinds = new ArrayList<>();
    results.forEach(
        r -> r.path("suppressions").forEach(s -> suppressionKinds.add(s.path("kind").asText())));
    assertThat(suppressionKinds).containsExactly("external", "inSource");
  }

  private static Document junit(Level failOn) throws Exception {
    String xml = new JUnitReporter(REGISTRY, failOn).render(result());
    return DocumentBuilderFactory.newInstance()
        .newDocumentBuilder()
        .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
  }

  private static Element testcase(Document doc, String name) {
    NodeList cases = doc.getElementsByTagName("testcase");
    for (int i = 0; i < cases.getLength(); i++) {
      Element c = (Element) cases.item(i);
      if (c.getAttribute("name").equals(name)) {
        return c;
      }
    }
    throw new AssertionError("no test case " + name);
  }

  @Test
  void junitIsWellFormedWithOneCasePerRuleAndFailuresOnlyForErrors() throws Exception {
    Document doc = junit(Level.ERROR);
    Element suite = (Element) doc.getElementsByTagName("testsuite").item(0);
    assertThat(suite.getAttribute("tests")).isEqualTo("5");
    assertThat(suite.getAttribute("failures")).as("TRL101 and TRL203, the errors").isEqualTo("2");
    assertThat(doc.getElementsByTagName("testcase").getLength()).isEqualTo(5);
    Element eds = testcase(doc, "TRL205 eds-cluster-without-assignment");
    assertThat(eds.getElementsByTagName("failure").getLength()).as("suppressed only").isZero();
    assertThat(eds.getElementsByTagName("system-out").getLength()).isZero();
    Element warning = testcase(doc, "TRL206 eds-assignment-without-endpoints");
    assertThat(warning.getElementsByTagName("failure").getLength()).isZero();
    assertThat(warning.getElementsByTagName("system-out").item(0).getTextContent())
        .isEqualTo(
            "\nservices/ledger.yaml:4:3: warning[TRL206]: ClusterLoadAssignment 'ledger':"
                + " \"quoted\" & <xml> at 100%, a:b\\nsecond line\n");
    Element info = testcase(doc, "TRL301 just-so-you-know");
    assertThat(info.getElementsByTagName("failure").getLength()).isZero();
    assertThat(info.getElementsByTagName("system-out").item(0).getTextContent())
        .isEqualTo("\nmesh.yaml:7:1: info[TRL301]: FYI\n");
  }

  @Test
  void junitFailsWarningsUnderFailOnWarning() throws Exception {
    Document doc = junit(Level.WARNING);
    Element suite = (Element) doc.getElementsByTagName("testsuite").item(0);
    assertThat(suite.getAttribute("failures")).isEqualTo("3");
    Element warning = testcase(doc, "TRL206 eds-assignment-without-endpoints");
    Element failure = (Element) warning.getElementsByTagName("failure").item(0);
    assertThat(failure.getAttribute("type")).isEqualTo("warning");
    assertThat(failure.getTextContent()).contains("\"quoted\" & <xml>");
    assertThat(warning.getElementsByTagName("system-out").getLength()).isZero();
    Element info = testcase(doc, "TRL301 just-so-you-know");
    assertThat(info.getElementsByTagName("failure").getLength()).as("below warning").isZero();
    assertThat(info.getElementsByTagName("system-out").getLength()).isEqualTo(1);
  }

  @Test
  void githubEscapesMessagesAndProperties() {
    assertThat(GithubReporter.data("50% a\nb\r")).isEqualTo("50%25 a%0Ab%0D");
    assertThat(GithubReporter.property("a:b,c")).isEqualTo("a%3Ab%2Cc");
  }
}
