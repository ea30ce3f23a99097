package dev.trellis.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.trellis.testing.Definitions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code trellis render}: its render limits against hostile templates, and secrets hidden unless
 * asked for.
 */
class RenderCommandTest {

  static final String MESH = Path.of("..", "samples", "mesh").toString();

  @TempDir Path dir;
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cl = TrellisCli.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return assertTimeoutPreemptively(Duration.ofSeconds(60), () -> cl.execute(args));
  }

  @Test
  void aTemplateOverTheTimeBudgetFailsWithItsLocation() {
    Definitions defs = new Definitions(dir, 7001);
    defs.write(
        "templates/grpc/clusters.yaml.j2",
        "[]\n{% for i in range(1000) %}{% for j in range(1000) %}{% for k in range(1000) %}"
            + "{% endfor %}{% endfor %}{% endfor %}\n");

    int status = run("render", "--defs", dir.toString(), "--render-timeout", "1s");

    assertThat(status).isEqualTo(TrellisCli.EXIT_INVALID);
    assertThat(err.toString())
        .startsWith(
            "templates/grpc/clusters.yaml.j2:2: render exceeded 1s time budget (--render-timeout)"
                + " (group");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void aTemplateOverTheOutputBudgetFails() {
    Definitions defs = new Definitions(dir, 7001);
    defs.write(
        "templates/grpc/clusters.yaml.j2",
        "[]\n{% for i in range(1000) %}# 0123456789\n{% endfor %}");

    int status = run("render", "--defs", dir.toString(), "--render-max-output", "4KiB");

    assertThat(status).isEqualTo(TrellisCli.EXIT_INVALID);
    assertThat(err.toString()).contains("render output exceeded 4KiB budget (--render-max-output)");
  }

  @Test
  void aRecursiveMacroIsAnErrorNotEmptyOutput() {
    Definitions defs = new Definitions(dir, 7001);
    defs.write(
        "templates/grpc/clusters.yaml.j2",
        "{% macro m() %}{{ m() }}{% endmacro %}[]\n# {{ m() }}\n");

    int status = run("render", "--defs", dir.toString());

    assertThat(status).isEqualTo(TrellisCli.EXIT_INVALID);
    assertThat(err.toString())
        .isEqualTo(
            "templates/grpc/clusters.yaml.j2:2: macro 'm' calls itself; recursive macros are not"
                + " allowed (groups 'grpc:greeter', 'grpc:web')\n");
  }

  @Test
  void limitsMustBePositiveAndWellFormed() {
    new Definitions(dir, 7001);

    assertThat(run("render", "--defs", dir.toString(), "--render-timeout", "0s"))
        .isEqualTo(TrellisCli.EXIT_USAGE);
    assertThat(err.toString())
        .contains(
            "Invalid value for option '--render-timeout': invalid duration '0s': use a positive"
                + " number of ms, s or m, e.g. 10s");
    assertThat(run("render", "--defs", dir.toString(), "--render-max-output", "16MB"))
        .isEqualTo(TrellisCli.EXIT_USAGE);
    assertThat(err.toString())
        .contains(
            "Invalid value for option '--render-max-output': invalid size '16MB': use a positive"
                + " number of B, KiB, MiB or GiB, e.g. 16MiB");
  }

  @Test
  void theDefaultsAreShownInTheHelp() {
    assertThat(run("render", "--help")).isZero();
    assertThat(out.toString())
        .contains("--render-timeout=DURATION")
        .contains("(default: 10s)")
        .contains("--render-max-output=SIZE")
        .contains("(default: 16MiB)");
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
