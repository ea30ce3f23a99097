package dev.trellis.analyze.clients;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.analyze.clients.Capabilities.Entry;
import dev.trellis.analyze.clients.Capabilities.Feature;
import dev.trellis.model.XdsClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * docs/conformance.md against the capability model: its model table is generated from the model,
 * and every observed cell of the conformance matrix shows what the model says of that client.
 */
class ConformanceDocTest {

  private static final Path DOC = Path.of("../docs/conformance.md");
  private static final List<String> SEEN =
      List.of("works", "falls back", "ignored", "rejected", "fails");

  private final Capabilities model = Capabilities.standard();

  @Test
  void theModelTableIsGeneratedFromTheModel() throws IOException {
    String doc = Files.readString(DOC, StandardCharsets.UTF_8);
    String generated = modelTable();
    if (Boolean.getBoolean("trellis.golden.update")) {
      doc = replace(doc, "model", generated);
      Files.writeString(DOC, doc, StandardCharsets.UTF_8);
    }
    assertThat(section(doc, "model"))
        .as("docs/conformance.md is stale: run with -Dtrellis.golden.update=true")
        .isEqualTo(generated);
  }

  @Test
  void everyObservedCellAgreesWithTheModel() throws IOException {
    List<String> lines =
        section(Files.readString(DOC, StandardCharsets.UTF_8), "observed").lines().toList();
    assertThat(lines).as("observed table").isNotEmpty();
    List<String> clients = cells(lines.get(0)).subList(2, cells(lines.get(0)).size());
    assertThat(clients).containsExactly("grpc-java", "grpc-node", "grpc-core");
    List<String> disagreements = new ArrayList<>();
    int rows = 0;
    for (String line : lines.subList(2, lines.size())) {
      if (!line.startsWith("|")) {
        break;
      }
      rows++;
      List<String> cells = cells(line);
      String scenario = cells.get(0);
      String feature = cells.get(1).replace("`", "");
      for (int i = 0; i < clients.size(); i++) {
        String seen = cells.get(i + 2);
        XdsClient client = XdsClient.ofLabel(clients.get(i)).orElseThrow();
        Optional<String> expected =
            feature.isEmpty() ? Optional.of("works") : model.expectedOutcome(feature, client);
        if (seen.startsWith("not run")) {
          continue;
        }
        if (!SEEN.contains(seen) || !expected.orElse(seen).equals(seen)) {
          disagreements.add(
              clients.get(i) + " / " + scenario + ": seen " + seen + ", model " + expected);
        }
      }
    }
    assertThat(rows).as("observed rows").isGreaterThanOrEqualTo(8);
    assertThat(disagreements).isEmpty();
    assertThat(lines.get(2))
        .as("the README's example reaches a backend on every client")
        .isEqualTo("| reach a backend |  | works | works | works |");
  }

  private String modelTable() {
    StringBuilder out = new StringBuilder("| feature |");
    Arrays.stream(XdsClient.values()).forEach(c -> out.append(' ').append(c.label()).append(" |"));
    out.append("\n|---|");
    Arrays.stream(XdsClient.values()).forEach(c -> out.append("---|"));
    out.append('\n');
    StringBuilder sources = new StringBuilder();
    for (Feature f : model.features()) {
      out.append("| `").append(f.id()).append("` ").append(f.title()).append(" |");
      sources.append("- `").append(f.id()).append("`:");
      for (XdsClient c : XdsClient.values()) {
        Optional<Entry> e = f.entry(c);
        out.append(' ').append(e.map(ConformanceDocTest::cell).orElse("unknown")).append(" |");
        e.ifPresent(
            x ->
                sources.append(' ').append(c.label()).append(" (").append(x.source()).append("),"));
      }
      out.append('\n');
      sources.setLength(sources.length() - (sources.charAt(sources.length() - 1) == ',' ? 1 : 0));
      sources.append('\n');
    }
    out.append(
        "\nClients as they name themselves (`user_agent_name`) and the release checked here:\n\n");
    for (XdsClient c : XdsClient.values()) {
      Capabilities.Client client = model.client(c);
      out.append("- ")
          .append(c.label())
          .append(": ")
          .append(String.join(", ", client.userAgents().stream().map(a -> "`" + a + "`").toList()))
          .append("; tested: ")
          .append(client.tested())
          .append('\n');
    }
    return out.append("\nSources:\n\n").append(sources).toString();
  }

  private static String cell(Entry e) {
    return e.status().label() + e.since().map(v -> " ≥ " + v).orElse("");
  }

  private static List<String> cells(String row) {
    String inner = row.substring(1, row.lastIndexOf('|'));
    return Arrays.stream(inner.split("(?<!\\\\)\\|")).map(String::trim).toList();
  }

  private static String section(String doc, String name) {
    int begin = doc.indexOf("<!-- " + name + ":begin -->");
    int end = doc.indexOf("<!-- " + name + ":end -->");
    assertThat(begin).as("%s section of docs/conformance.md", name).isNotNegative();
    return doc.substring(doc.indexOf('\n', begin) + 1, end);
  }

  private static String replace(String doc, String name, String body) {
    String begin = "<!-- " + name + ":begin -->";
    int b = doc.indexOf(begin) + begin.length();
    int e = doc.indexOf("<!-- " + name + ":end -->");
    return doc.substring(0, b) + "\n" + body + doc.substring(e);
  }
}
