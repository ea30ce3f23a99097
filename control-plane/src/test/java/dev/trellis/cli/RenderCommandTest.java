package dev.trellis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code trellis render} hides sensitive fields unless asked to show them. */
class RenderCommandTest {

  static final String MESH = Path.of("..", "samples", "mesh").toString();

  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  int run(String... args) {
    var cl = TrellisCli.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  @Test
  void sensitiveFieldsAreRedactedByDefault() {
    assertThat(run("render", "--defs", MESH, "--proxy", "public")).isZero();

    String printed = out.toString();
    // The edge key's DataSource is under TlsCertificate.private_key, a sensitive field: Envoy
    // redacts every string under it, the file name included.
    assertThat(printed)
        .contains("private_key:\n              filename: \"[redacted]\"")
        .doesNotContain("/etc/trellis/edge/shop.key")
        .contains("/etc/trellis/edge/shop.crt");
  }

  @Test
  void showSecretsPrintsThemAsTheyAre() {
    assertThat(run("render", "--defs", MESH, "--proxy", "public", "--show-secrets")).isZero();

    assertThat(out.toString()).contains("/etc/trellis/edge/shop.key").doesNotContain("[redacted]");
  }
}
