package dev.trellis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The definitions the README shows ({@code mesh.yaml}, {@code services/payments.yaml}), written out
 * as a repo of their own, load and lint clean: a new user copying them starts without findings.
 */
class ReadmeExamplesTest {

  /** A file name in backquotes on the line before a yaml block: {@code `services/x.yaml`:}. */
  private static final Pattern EXAMPLE =
      Pattern.compile("`([\\w./-]+\\.yaml)`[^\\n]*:\\n\\n```yaml\\n(.*?)```", Pattern.DOTALL);

  @TempDir Path tmp;

  static Map<String, String> examples() throws Exception {
    Map<String, String> files = new TreeMap<>();
    Matcher m = EXAMPLE.matcher(Files.readString(Path.of("..", "README.md")));
    while (m.find()) {
      files.put(m.group(1), m.group(2));
    }
    return files;
  }

  @Test
  void theReadmesDefinitionsLintClean() throws Exception {
    Map<String, String> files = examples();
    assertThat(files).containsOnlyKeys("mesh.yaml", "services/payments.yaml");
    for (var file : files.entrySet()) {
      Path target = tmp.resolve(file.getKey());
      Files.createDirectories(target.getParent());
      Files.writeString(target, file.getValue());
    }
    // The one service the example calls, which the README does not show.
    Files.writeString(
        tmp.resolve("services/ledger.yaml"),
        "name: ledger\nowner: team-ledger\nprotocol: http\nport: 8080\n"
            + "endpoints:\n  static: [\"10.0.0.9:8080\"]\n");

    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = TrellisCli.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute("lint", "--defs", tmp.toString(), "--fail-on", "warning");

    assertThat(out.toString()).isEqualTo("0 errors, 0 warnings, 0 info, 0 suppressed\n");
    assertThat(err.toString()).isEmpty();
    assertThat(exit).isZero();
  }
}
