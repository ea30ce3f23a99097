package dev.trellis.analyze.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trellis.analyze.AnalysisResult;
import dev.trellis.analyze.Finding;
import dev.trellis.analyze.Json;
import dev.trellis.analyze.Rule;
import dev.trellis.analyze.RuleRegistry;
import dev.trellis.analyze.SuppressedFinding;
import dev.trellis.analyze.Suppression;
import dev.trellis.analyze.TrellisVersion;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * SARIF 2.1.0, as code-scanning services read it: every rule under tool.driver.rules, one result
 * per finding with a line-independent partial fingerprint, suppressed findings marked with their
 * suppression (in source or external baseline).
 */
public final class SarifReporter implements Reporter {

  static final String SCHEMA =
      "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

  /** The fingerprint's key in partialFingerprints; bump the version if the hash ever changes. */
  static final String FINGERPRINT_KEY = "trellisFindingHash/v1";

  /** Trellis' version, the same {@code trellis -V} prints. */
  static final String TOOL_VERSION = TrellisVersion.get();

  private final RuleRegistry registry;
  private final String toolVersion;

  public SarifReporter(RuleRegistry registry, String toolVersion) {
    this.registry = registry;
    this.toolVersion = toolVersion;
  }

  @Override
  public String render(AnalysisResult result) {
    ObjectNode root = Json.mapper().createObjectNode();
    root.put("$schema", SCHEMA);
    root.put("version", "2.1.0");
    ObjectNode run = root.putArray("runs").addObject();
    ObjectNode driver = run.putObject("tool").putObject("driver");
    driver.put("name", "Trellis");
    driver.put("version", toolVersion);
    ArrayNode rules = driver.putArray("rules");
    Map<String, Integer> index = new HashMap<>();
    List<Rule> all = List.copyOf(registry.rules());
    for (int i = 0; i < all.size(); i++) {
      Rule r = all.get(i);
      index.put(r.id(), i);
      ObjectNode n = rules.addObject();
      n.put("id", r.id());
      n.put("name", r.name());
      n.putObject("shortDescription").put("text", r.description());
      n.putObject("fullDescription").put("text", r.doc());
      n.putObject("defaultConfiguration").put("level", r.level().sarifLevel());
      n.putObject("properties")
          .putArray("tags")
          .add(r.category().name().toLowerCase(Locale.ROOT).replace('_', '-'));
    }
    ArrayNode results = run.putArray("results");
    for (Finding f : result.findings()) {
      result(results.addObject(), f, index);
    }
    for (SuppressedFinding s : result.suppressed()) {
      ObjectNode n = results.addObject();
      result(n, s.finding(), index);
      Suppression why = s.suppression();
      ObjectNode sup = n.putArray("suppressions").addObject();
      sup.put("kind", why.kind() == Suppression.Kind.COMMENT ? "inSource" : "external");
      sup.put("justification", why.reason());
    }
    return Json.pretty(root);
  }

  private static void result(ObjectNode n, Finding f, Map<String, Integer> index) {
    n.put("ruleId", f.ruleId());
    Integer i = index.get(f.ruleId());
    if (i != null) {
      n.put("ruleIndex", i);
    }
    n.put("level", f.level().sarifLevel());
    n.putObject("message").put("text", f.message());
    ObjectNode physical = n.putArray("locations").addObject().putObject("physicalLocation");
    physical.putObject("artifactLocation").put("uri", f.location().file());
    ObjectNode region = physical.putObject("region");
    region.put("startLine", f.location().line());
    region.put("startColumn", f.location().column());
    n.putObject("partialFingerprints").put(FINGERPRINT_KEY, f.fingerprint());
    if (f.group().isPresent() || f.resource().isPresent()) {
      ObjectNode props = n.putObject("properties");
      f.group().ifPresent(g -> props.put("group", g));
      f.resource().ifPresent(r -> props.put("resource", r));
    }
  }
}
