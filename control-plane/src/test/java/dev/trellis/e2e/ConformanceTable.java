package dev.trellis.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The observed conformance matrix: one {@link Row} per (client, scenario), written as a markdown
 * table with a scenario per line (and the capability-model feature it tests) and a client per
 * column, the details listed below it. Later rows for the same cell replace earlier ones.
 */
final class ConformanceTable {

  /** What a client did in a scenario. */
  enum Outcome {
    WORKS("works"),
    FALLS_BACK("falls back"),
    IGNORED("ignored"),
    REJECTED("rejected"),
    CRASHES("crashes"),
    /** The scenario ran but the client did not do what it must (failed RPCs, wrong backend). */
    FAILS("fails"),
    NOT_RUN("not run");

    final String label;

    Outcome(String label) {
      this.label = label;
    }
  }

  /** One cell: {@code detail} says what was seen (or, for {@link Outcome#NOT_RUN}, why not). */
  record Row(String client, String scenario, Outcome outcome, String detail) {}

  private final Map<String, Row> rows = new LinkedHashMap<>();
  private final Map<String, String> features = new LinkedHashMap<>();
  private final Set<String> clients = new LinkedHashSet<>();
  private final Set<String> scenarios = new LinkedHashSet<>();

  ConformanceTable record(String client, String scenario, Outcome outcome, String detail) {
    clients.add(client);
    scenarios.add(scenario);
    rows.put(client + "\u0000" + scenario, new Row(client, scenario, outcome, detail));
    return this;
  }

  /** Marks {@code scenario} as the test of a capability-model feature (its id). */
  ConformanceTable feature(String scenario, String featureId) {
    features.put(scenario, featureId);
    return this;
  }

  Optional<String> featureOf(String scenario) {
    return Optional.ofNullable(features.get(scenario));
  }

  Optional<Row> get(String client, String scenario) {
    return Optional.ofNullable(rows.get(client + "\u0000" + scenario));
  }

  List<Row> rows() {
    return List.copyOf(rows.values());
  }

  /** The table, then one line of detail per cell that has one. */
  String markdown() {
    StringBuilder out = new StringBuilder();
    out.append("| scenario | feature |");
    clients.forEach(c -> out.append(' ').append(c).append(" |"));
    out.append("\n|---|---|");
    clients.forEach(c -> out.append("---|"));
    out.append('\n');
    List<String> details = new ArrayList<>();
    for (String scenario : scenarios) {
      out.append("| ").append(cell(scenario)).append(" | ");
      out.append(featureOf(scenario).map(f -> "`" + f + "`").orElse("")).append(" |");
      for (String client : clients) {
        Row row = rows.get(client + "\u0000" + scenario);
        String text = row == null ? "" : row.outcome().label;
        if (row != null && row.outcome() == Outcome.NOT_RUN && !row.detail().isEmpty()) {
          text = "not run: " + row.detail();
        } else if (row != null && !row.detail().isEmpty()) {
          details.add("- " + client + ", " + scenario + ": " + row.detail());
        }
        out.append(' ').append(cell(text)).append(" |");
      }
      out.append('\n');
    }
    if (!details.isEmpty()) {
      out.append('\n');
      details.forEach(d -> out.append(d.replace('\n', ' ')).append('\n'));
    }
    return out.toString();
  }

  void write(Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, markdown());
  }

  private static String cell(String text) {
    return text.replace("|", "\\|").replace('\n', ' ');
  }
}
