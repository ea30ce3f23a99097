package dev.trellis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./trellis} launcher's first build, run in a copy of the script with stand-ins for
 * {@code mvn} and {@code java} on the PATH: it says where its log is and how long it takes, and
 * does not compile test sources; and the JVM it starts exits on out of memory.
 */
class LauncherTest {

  private static final Path LAUNCHER = Path.of("..", "trellis").toAbsolutePath().normalize();

  @TempDir Path tmp;

  private static void script(Path file, String body) throws Exception {
    Files.writeString(file, "#!/usr/bin/env bash\n" + body);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
  }

  @Test
  void theFirstBuildNamesItsLogAndAnEstimateAndSkipsTestCompilation() throws Exception {
    Path root = tmp.resolve("repo");
    Files.createDirectories(root.resolve("control-plane/src/main"));
    Files.writeString(root.resolve("pom.xml"), "<project/>\n");
    Files.copy(
        Path.of("..", "trellis"), root.resolve("trellis"), StandardCopyOption.COPY_ATTRIBUTES);
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    Path mvnArgs = tmp.resolve("mvn-args.txt");
    script(
        bin.resolve("mvn"),
        "printf '%s\\n' \"$@\" > '"
            + mvnArgs
            + "'\nmkdir -p control-plane/target\necho /lib.jar > control-plane/target/trellis.classpath\n");
    script(bin.resolve("java"), "echo \"java ran: ${*: -1}\"\n");

    ProcessBuilder pb =
        new ProcessBuilder("bash", root.resolve("trellis").toString(), "-V")
            .redirectError(tmp.resolve("err.txt").toFile())
            .redirectOutput(tmp.resolve("out.txt").toFile());
    pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    Process p = pb.start();
    if (!p.waitFor(1, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("the launcher did not finish");
    }

    String err = Files.readString(tmp.resolve("err.txt"), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(err).isZero();
    assertThat(err)
        .isEqualTo(
            "trellis: building (first use or sources changed; about 1-3 minutes on 2 cores,"
                + " longer while Maven downloads dependencies); log: "
                + root.toRealPath().resolve("control-plane/target/trellis-build.log")
                + "\n");
    assertThat(Files.readAllLines(mvnArgs))
        .contains("-Dmaven.test.skip=true", "package", "-o")
        .doesNotContain("-DskipTests");
    assertThat(Files.readString(tmp.resolve("out.txt"))).isEqualTo("java ran: -V\n");
    assertThat(root.resolve("control-plane/target/.trellis-built")).exists();
  }

  @Test
  void theJvmExitsOnOutOfMemory() throws Exception {
    // A template can exhaust the heap; a process that lives on after that never serves again.
    assertThat(Files.readAllLines(LAUNCHER))
        .filteredOn(line -> line.startsWith("exec java "))
        .singleElement()
        .asString()
        .startsWith("exec java -XX:+ExitOnOutOfMemoryError ");
  }
}
