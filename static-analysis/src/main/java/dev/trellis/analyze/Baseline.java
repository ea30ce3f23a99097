package dev.trellis.analyze;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Findings accepted as they are, by fingerprint, so that only new findings count. A fingerprint
 * listed n times covers n findings with that fingerprint.
 */
public final class Baseline {

  static final int VERSION = 1;
  private static final ObjectMapper JSON = Json.mapper();

  private final List<Entry> entries;

  private record Entry(String fingerprint, String ruleId, String file, String message) {}

  private Baseline(List<Entry> entries) {
    this.entries =
        entries.stream()
            .sorted(
                Comparator.comparing(Entry::fingerprint)
                    .thenComparing(Entry::ruleId)
                    .thenComparing(Entry::file)
                    .thenComparing(Entry::message))
            .toList();
  }

  /**
   * A baseline of the findings that count in {@code result}, except those no baseline may cover
   * ({@link PipelineFindings#UNSUPPRESSIBLE}).
   */
  public static Baseline of(AnalysisResult result) {
    return new Baseline(
        result.findings().stream()
            .filter(f -> !PipelineFindings.UNSUPPRESSIBLE.contains(f.ruleId()))
            .map(f -> new Entry(f.fingerprint(), f.ruleId(), f.location().file(), f.message()))
            .toList());
  }

  /**
   * Reads a baseline written by {@link #toJson()}.
   *
   * @throws IllegalArgumentException naming what is wrong with the text
   */
  public static Baseline parse(String json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("baseline is not JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null
        || root.path("version").asInt() != VERSION
        || !root.path("findings").isArray()) {
      throw new IllegalArgumentException(
          "baseline must be an object with \"version\": " + VERSION + " and a \"findings\" array");
    }
    List<Entry> entries = new ArrayList<>();
    for (JsonNode e : root.get("findings")) {
      String fp = e.path("fingerprint").asText("");
      if (fp.isEmpty()) {
        throw new IllegalArgumentException("baseline entry without \"fingerprint\": " + e);
      }
      entries.add(
          new Entry(
              fp,
              e.path("ruleId").asText(""),
              e.path("file").asText(""),
              e.path("message").asText("")));
    }
    return new Baseline(entries);
  }

  /**
   * Sorted, pretty JSON; rule, file and message are there for reviewers, only fingerprints count.
   */
  public String toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", VERSION);
    ArrayNode list = root.putArray("findings");
    for (Entry e : entries) {
      ObjectNode n = list.addObject();
      n.put("fingerprint", e.fingerprint());
      n.put("ruleId", e.ruleId());
      n.put("file", e.file());
      n.put("message", e.message());
    }
    return Json.pretty(root);
  }

  public int size() {
    return entries.size();
  }

  /**
   * Moves the findings the baseline covers to the suppressed list.
   *
   * @param name how to name the baseline in the suppression reason (e.g. its file)
   */
  public AnalysisResult apply(AnalysisResult result, String name) {
    Map<String, Integer> remaining = new HashMap<>();
    entries.forEach(e -> remaining.merge(e.fingerprint(), 1, Integer::sum));
    List<Finding> counting = new ArrayList<>();
    List<SuppressedFinding> suppressed = new ArrayList<>(result.suppressed());
    Suppression why = Suppression.baseline(name);
    for (Finding f : result.findings()) {
      String fp = f.fingerprint();
      int left = remaining.getOrDefault(fp, 0);
      if (left > 0 && !PipelineFindings.UNSUPPRESSIBLE.contains(f.ruleId())) {
        remaining.put(fp, left - 1);
        suppressed.add(new SuppressedFinding(f, why));
      } else {
        counting.add(f);
      }
    }
    return new AnalysisResult(counting, suppressed);
  }
}
