package dev.trellis.analyze.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trellis.analyze.AnalysisResult;
import dev.trellis.analyze.Finding;
import dev.trellis.analyze.Json;
import dev.trellis.analyze.Level;
import dev.trellis.analyze.SuppressedFinding;
import dev.trellis.analyze.Suppression;
import java.util.Locale;

/** The findings, the suppressed findings with why, and counts per level, as one JSON object. */
public final class JsonReporter implements Reporter {

  @Override
  public String render(AnalysisResult result) {
    ObjectNode root = Json.mapper().createObjectNode();
    ArrayNode findings = root.putArray("findings");
    result.findings().forEach(f -> finding(findings.addObject(), f));
    ArrayNode suppressed = root.putArray("suppressed");
    for (SuppressedFinding s : result.suppressed()) {
      ObjectNode n = suppressed.addObject();
      finding(n, s.finding());
      Suppression why = s.suppression();
      ObjectNode sup = n.putObject("suppression");
      sup.put("kind", why.kind().name().toLowerCase(Locale.ROOT));
      sup.put("reason", why.reason());
      why.at().ifPresent(at -> sup.put("location", at.toString()));
    }
    ObjectNode counts = root.putObject("counts");
    for (Level l : Level.values()) {
      counts.put(l.label(), result.count(l));
    }
    counts.put("suppressed", result.suppressed().size());
    return Json.pretty(root);
  }

  static void finding(ObjectNode n, Finding f) {
    n.put("ruleId", f.ruleId());
    n.put("level", f.level().label());
    n.put("message", f.message());
    ObjectNode loc = n.putObject("location");
    loc.put("file", f.location().file());
    loc.put("line", f.location().line());
    loc.put("column", f.location().column());
    f.group().ifPresent(g -> n.put("group", g));
    f.resource().ifPresent(r -> n.put("resource", r));
    n.put("fingerprint", f.fingerprint());
  }
}
