package dev.trellis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CI integrations' shared scripts, run as CI runs them (bash, a child JVM for Trellis through
 * {@code $TRELLIS}) on the repo's samples: {@code ci/trellis-lint.sh} and the Git pre-commit hook.
 */
class CiScriptsTest {

  private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  private static final Path LINT = REPO.resolve("ci/trellis-lint.sh");
  private static final Path HOOK = REPO.resolve("ci/pre-commit-hook.sh");

  @TempDir Path temp;
  private Path trellis;

  record Run(int exit, String out, String err) {}

  /** A Trellis executable for the scripts: this JVM's classpath in a child JVM. */
  @BeforeEach
  void trellis() throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    trellis = temp.resolve("trellis");
    Files.writeString(
        trellis,
        "#!/bin/sh\nexec '%s' -cp '%s' dev.trellis.cli.TrellisCli \"$@\"\n"
            .formatted(java, System.getProperty("java.class.path")));
    Files.setPosixFilePermissions(trellis, PosixFilePermissions.fromString("rwx------"));
  }

  private Run run(Path dir, Map<String, String> env, String... command) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("bash"));
    cmd.addAll(List.of(command));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
    pb.environment().put("TRELLIS", trellis.toString());
    pb.environment().remove("TRELLIS_BASELINE");
    pb.environment().putAll(env);
    Path out = temp.resolve("out.txt");
    Path err = temp.resolve("err.txt");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process p = pb.start();
    if (!p.waitFor(3, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("timed out: " + cmd);
    }
    return new Run(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  @Test
  void lintScriptPassesOnTheSampleMeshAndFailsOnABrokenCase() throws Exception {
    Run clean = run(REPO, Map.of(), LINT.toString(), "samples/mesh");
    assertThat(clean.exit()).as(clean.err()).isZero();
    assertThat(clean.out()).contains("0 errors");

    Run broken = run(REPO, Map.of(), LINT.toString(), "samples/broken-lint/strict-too-early");
    assertThat(broken.exit()).as(broken.err()).isEqualTo(TrellisCli.EXIT_INVALID);
    assertThat(broken.out())
        .contains("services/ledger.yaml:6:7: error[TRL304]")
        .endsWith("1 error, 0 warnings, 0 info, 0 suppressed\n");

    Run warnings =
        run(
            REPO,
            Map.of("TRELLIS_FAIL_ON", "warning"),
            LINT.toString(),
            "samples/broken-lint/dependency-cycle");
    assertThat(warnings.exit()).isEqualTo(TrellisCli.EXIT_INVALID);

    Run usage = run(REPO, Map.of(), LINT.toString());
    assertThat(usage.exit()).isEqualTo(TrellisCli.EXIT_USAGE);
    assertThat(usage.err()).contains("usage:");
    Run bad = run(REPO, Map.of(), LINT.toString(), "samples/mesh", "--format", "yaml");
    assertThat(bad.exit()).isEqualTo(TrellisCli.EXIT_USAGE);
  }

  @Test
  void lintScriptValidatesWithTheEnvoyOnPath() throws Exception {
    Path bin = Files.createDirectories(temp.resolve("bin"));
    Path calls = temp.resolve("envoy-calls.txt");
    Path envoy = bin.resolve("envoy");
    Files.writeString(
        envoy,
        "#!/bin/sh\necho \"$1 $2 $3\" >> '%s'\necho 'invalid listener' ; exit 1\n"
            .formatted(calls));
    Files.setPosixFilePermissions(envoy, PosixFilePermissions.fromString("rwx------"));
    Run run =
        run(
            REPO,
            Map.of("PATH", bin + ":" + System.getenv("PATH")),
            LINT.toString(),
            "samples/mesh");
    assertThat(run.exit()).as(run.err()).isEqualTo(TrellisCli.EXIT_INVALID);
    assertThat(run.out())
        .contains(
            "error[TRL215]: envoy --mode validate rejects the config of group 'public'"
                + " (exit 1: invalid listener)");
    assertThat(Files.readAllLines(calls))
        .isNotEmpty()
        .allMatch(l -> l.equals("--mode validate -c"));
  }

  @Test
  void lintScriptUsesTheBaselineBesideTheDefinitions() throws Exception {
    Path defs = copy(REPO.resolve("samples/broken-lint/strict-too-early"), temp.resolve("defs"));
    Run write =
        run(
            temp,
            Map.of(),
            LINT.toString(),
            "defs",
            "--write-baseline",
            "defs/.trellis-baseline.json");
    assertThat(write.exit()).as(write.err()).isZero();
    Run gated = run(temp, Map.of(), LINT.toString(), "defs");
    assertThat(gated.exit()).as(gated.err()).isZero();
    assertThat(gated.out()).isEqualTo("0 errors, 0 warnings, 0 info, 1 suppressed\n");
    assertThat(defs.resolve(".trellis-baseline.json")).exists();
  }

  @Test
  void preCommitHookLintsWhatIsStagedNotTheWorkingTree() throws Exception {
    git("init", "-q");
    copy(REPO.resolve("samples/broken-lint/strict-too-early"), temp.resolve("mesh"));
    git("add", "mesh");
    Map<String, String> env = Map.of("TRELLIS_DEFS", "mesh");

    Run refused = run(temp, env, HOOK.toString());
    assertThat(refused.exit()).as(refused.err()).isEqualTo(TrellisCli.EXIT_INVALID);
    assertThat(refused.out()).contains("mesh/services/ledger.yaml:6:7: error[TRL304]");
    assertThat(refused.err()).contains("commit refused");

    // Fixed in the working tree only: the commit would still hold the strict ledger.
    Path ledger = temp.resolve("mesh/services/ledger.yaml");
    Files.writeString(ledger, Files.readString(ledger).replace("mtls: strict", "mtls: permissive"));
    assertThat(run(temp, env, HOOK.toString()).exit()).isEqualTo(TrellisCli.EXIT_INVALID);

    git("add", "mesh");
    Run accepted = run(temp, env, HOOK.toString());
    assertThat(accepted.exit()).as(accepted.err()).isZero();
  }

  private void git(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("git"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(temp.toFile()).inheritIO().start();
    assertThat(p.waitFor(1, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as("%s", cmd).isZero();
  }

  private static Path copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : files.toList()) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else if (!f.getFileName().toString().equals("expected-findings.txt")) {
          Files.copy(f, target);
        }
      }
    }
    return to;
  }
}
