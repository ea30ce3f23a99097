package dev.trellis.model.load;

import static dev.trellis.model.load.DefinitionLoaderTest.errors;
import static dev.trellis.model.load.DefinitionLoaderTest.mesh;
import static dev.trellis.model.load.DefinitionLoaderTest.service;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.model.CookieNames;
import dev.trellis.model.DefinitionTree;
import dev.trellis.model.SourceLocation;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Definitions written by an attacker (issue #11, rows 4, 9 and 10): symlinks out of the tree, huge
 * files and lines, overlong names, text that is not UTF-8, deep nesting. Each is refused with its
 * file and line, and no error shows what a refused file holds.
 */
class HostileDefinitionsTest {

  private static final String MARKER = "TRELLIS-SECRET-MARKER-7f3a";

  @TempDir Path tmp;

  private static List<String> loadErrors(DefinitionTree tree) {
    LoadResult result = DefinitionLoader.load(tree);
    assertThat(result.mesh()).isEmpty();
    return result.errors().stream().map(LoadError::toString).toList();
  }

  private static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }

  /** An input stream of {@code size} bytes of {@code fill} after {@code head}, counting reads. */
  private static final class Generated extends InputStream {
    private final byte[] head;
    private final long size;
    private final byte fill;
    long read;

    Generated(String head, long size, char fill) {
      this.head = head.getBytes(StandardCharsets.UTF_8);
      this.size = size;
      this.fill = (byte) fill;
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (read >= size) {
        return -1;
      }
      int n = (int) Math.min(len, size - read);
      for (int i = 0; i < n; i++) {
        long at = read + i;
        b[off + i] = at < head.length ? head[(int) at] : fill;
      }
      read += n;
      return n;
    }
  }

  @Nested
  class Symlinks {

    @Test
    void aServiceFileLinkedOutsideIsRefusedWithoutReadingIt() throws IOException {
      Path secret = tmp.resolve("outside/passwd");
      write(secret, "root:x:0:0:" + MARKER + ":/root:/bin/bash\n");
      Path defs = tmp.resolve("defs");
      write(defs.resolve("services/web.yaml"), service("web"));
      Files.createSymbolicLink(defs.resolve("services/x.yaml"), secret);

      DefinitionTree tree = DefinitionTree.fromDirectory(defs);

      assertThat(tree.files()).containsOnlyKeys("services/web.yaml");
      assertThat(loadErrors(tree))
          .containsExactly("services/x.yaml:1:1: is a symlink outside the definitions directory");
    }

    @Test
    void aTemplateLinkedToProcIsRefused() throws IOException {
      Path defs = tmp.resolve("defs");
      write(defs.resolve("services/web.yaml"), service("web"));
      Files.createDirectories(defs.resolve("templates"));
      Files.createSymbolicLink(
          defs.resolve("templates/listener.yaml.j2"), Path.of("/proc/self/environ"));

      assertThat(loadErrors(DefinitionTree.fromDirectory(defs)))
          .containsExactly(
              "templates/listener.yaml.j2:1:1: is a symlink outside the definitions directory");
      // Removed here so that the temporary directory's clean-up has no outside link to warn of.
      Files.delete(defs.resolve("templates/listener.yaml.j2"));
    }

    @Test
    void directoriesThatResolveOutsideAreRefused() throws IOException {
      Path outside = tmp.resolve("outside");
      write(outside.resolve("web.yaml"), "# " + MARKER + "\n" + service("web"));
      Path defs = tmp.resolve("defs");
      Files.createDirectories(defs);
      Files.createSymbolicLink(defs.resolve("services"), outside);
      Files.createDirectories(defs.resolve("templates"));
      Files.createSymbolicLink(defs.resolve("templates/shared"), outside);
      Files.createSymbolicLink(defs.resolve("mesh.yaml"), outside.resolve("web.yaml"));

      DefinitionTree tree = DefinitionTree.fromDirectory(defs);

      assertThat(tree.files()).isEmpty();
      assertThat(loadErrors(tree))
          .containsExactly(
              "mesh.yaml:1:1: is a symlink outside the definitions directory",
              "services:1:1: is a symlink outside the definitions directory",
              "templates/shared:1:1: is a symlink outside the definitions directory");
    }

    @Test
    void linksInsideTheTreeAreReadAsTheirTargetAndLoopsEnd() throws IOException {
      Path defs = tmp.resolve("defs");
      write(defs.resolve("shared/api.yaml"), service("api"));
      write(defs.resolve("services/web.yaml"), service("web"));
      Files.createSymbolicLink(defs.resolve("services/api.yaml"), Path.of("../shared/api.yaml"));
      Files.createSymbolicLink(defs.resolve("services/loop"), Path.of("."));
      Files.createSymbolicLink(defs.resolve("services/gone.yaml"), Path.of("nothing-here.yaml"));

      DefinitionTree tree = DefinitionTree.fromDirectory(defs);

      assertThat(tree.files()).containsOnlyKeys("services/api.yaml", "services/web.yaml");
      assertThat(tree.files().get("services/api.yaml")).isEqualTo(service("api"));
      assertThat(loadErrors(tree))
          .containsExactly("services/gone.yaml:1:1: is a symlink whose target does not exist");
    }
  }

  @Nested
  class Sizes {

    @Test
    void aFiftyMegabyteCommentLineIsRefusedAfterReadingAtMostTheLimit() throws IOException {
      Generated in = new Generated(service("web") + "# ", 50L << 20, 'a');

      DefinitionTree tree = new DefinitionTree.Builder().read("services/web.yaml", in).build();

      assertThat(in.read).isLessThanOrEqualTo(DefinitionTree.MAX_FILE_BYTES + 1);
      // Stopped at the line's limit, one read chunk at most past it.
      assertThat(in.read).isLessThanOrEqualTo(service("web").length() + 2 * 16384L + 8192);
      assertThat(loadErrors(tree))
          .containsExactly(
              "services/web.yaml:5:1: line is longer than 16384 bytes (16 KiB), the limit for a"
                  + " line of a definitions file");
    }

    @Test
    void aFileOverOneMebibyteIsRefusedAtTheLineWhereTheLimitFalls() throws IOException {
      // 4 lines of the service, then comment lines of 1024 bytes with their line break.
      String head = service("web");
      String comment = "#" + "c".repeat(1022) + "\n";
      Generated in = new Generated(head + comment.repeat(2000), 2L << 20, 'x');

      DefinitionTree tree = new DefinitionTree.Builder().read("services/web.yaml", in).build();

      assertThat(in.read).isEqualTo(DefinitionTree.MAX_FILE_BYTES + 1);
      int line = 5 + (DefinitionTree.MAX_FILE_BYTES - head.length()) / 1024;
      assertThat(loadErrors(tree))
          .containsExactly(
              "services/web.yaml:"
                  + line
                  + ":1: file is larger than 1048576 bytes (1 MiB), the limit for a definitions"
                  + " file");
    }

    @Test
    void filesAndLinesExactlyAtTheLimitsLoad() throws IOException {
      String head = service("web") + "#" + "l".repeat(DefinitionTree.MAX_LINE_BYTES - 1) + "\n";
      String comment = "#" + "c".repeat(1022) + "\n";
      StringBuilder text = new StringBuilder(head);
      while (text.length() + comment.length() <= DefinitionTree.MAX_FILE_BYTES) {
        text.append(comment);
      }
      text.append("#".repeat(DefinitionTree.MAX_FILE_BYTES - text.length()));
      assertThat(text).hasSize(DefinitionTree.MAX_FILE_BYTES);

      DefinitionTree tree =
          new DefinitionTree.Builder()
              .read(
                  "services/web.yaml",
                  new ByteArrayInputStream(text.toString().getBytes(StandardCharsets.UTF_8)))
              .build();

      assertThat(tree.refused()).isEmpty();
      assertThat(DefinitionLoader.load(tree).ok()).isTrue();
    }

    @Test
    void aHugeSparseFileOnDiskIsRefusedByItsFirstLine() throws IOException {
      Path defs = tmp.resolve("defs");
      write(defs.resolve("services/web.yaml"), service("web"));
      try (RandomAccessFile f =
          new RandomAccessFile(defs.resolve("services/big.yaml").toFile(), "rw")) {
        f.setLength(50L << 20);
      }

      assertThat(loadErrors(DefinitionTree.fromDirectory(defs)))
          .containsExactly(
              "services/big.yaml:1:1: line is longer than 16384 bytes (16 KiB), the limit for a"
                  + " line of a definitions file");
    }
  }

  @Nested
  class Trees {

    @Test
    void filesPastSixtyFourMebibytesTogetherAreNotRead() throws IOException {
      // Comment lines of 1024 bytes: every file is within its own limits.
      byte[] file = ("#" + "c".repeat(1022) + "\n").repeat(976).getBytes(StandardCharsets.UTF_8);
      byte[] bytes = java.util.Arrays.copyOf(file, 1_000_000);
      java.util.Arrays.fill(bytes, file.length, bytes.length, (byte) '#');
      DefinitionTree.Builder builder = new DefinitionTree.Builder();
      for (int i = 0; i < 70; i++) {
        builder.read(String.format("templates/t%02d.j2", i), new ByteArrayInputStream(bytes));
      }
      assertThat(builder.full()).isTrue();
      DefinitionTree tree = builder.build();

      // 67 files of 1,000,000 bytes are 67,000,000 bytes, past 64 MiB (67,108,864) with the 68th.
      assertThat(tree.files()).hasSize(67);
      assertThat(tree.refused())
          .containsExactly(
              new DefinitionTree.Refusal(
                  SourceLocation.ofFile("templates/t67.j2"),
                  "is past the limit of 67108864 bytes (64 MiB) for all definitions files"
                      + " together (not read, nor any after it)"));
    }
  }

  @Nested
  class Names {

    private static final String GATEWAY = "gateways: [{name: public}]\n";

    private String edge(String... lines) {
      String[] all = new String[lines.length + 3];
      all[0] = "edge:";
      all[1] = "  gateway: public";
      all[2] = "  hosts: [shop.example.com]";
      System.arraycopy(lines, 0, all, 3, lines.length);
      return service("web", all);
    }

    @Test
    void aMillionCharacterCookieNameWithinTheLineLimitIsRefused() {
      // A double-quoted scalar continues over lines with '\' at each line's end: one name of
      // 1,000,000 characters in lines of 10,000.
      String chunk = "a".repeat(10_000);
      String name = "\"" + (chunk + "\\\n").repeat(99) + chunk + "\"";

      List<String> errors =
          errors(
              "mesh.yaml",
              GATEWAY,
              "services/web.yaml",
              edge("  cookies:", "    allowed:", "      - " + name));

      assertThat(errors)
          .containsExactly(
              "services/web.yaml:10:9: edge.cookies.allowed[0]: '"
                  + "a".repeat(64)
                  + "...' is longer than 256 characters");
    }

    @Test
    void cookieNamesUpToTheLimitLoad() {
      String longest = "c".repeat(CookieNames.MAX_LENGTH);
      assertThat(
              mesh(
                      "mesh.yaml",
                      GATEWAY,
                      "services/web.yaml",
                      edge("  cookies: {allowed: [" + longest + "]}"))
                  .service("web")
                  .orElseThrow()
                  .edge()
                  .orElseThrow()
                  .cookies()
                  .orElseThrow()
                  .allowed())
          .containsExactly(longest);
      assertThat(CookieNames.problem(longest + "c")).contains("is longer than 256 characters");
    }

    @Test
    void everyNameLikeValueHasALengthLimitReportedAtItsField() {
      String label = "n".repeat(64);
      String host = ("h".repeat(60) + ".").repeat(5) + "com";
      assertThat(host.length()).isGreaterThan(253);
      List<String> errors =
          errors(
              "mesh.yaml",
              "name: " + label + "\ntrustDomain: " + host + "\ngateways: [{name: " + label + "}]\n",
              "services/web.yaml",
              "name: web\nowner: "
                  + "o".repeat(129)
                  + "\nprotocol: http\nport: 8080\n"
                  + "dependencies: [{name: "
                  + label
                  + "}]\n"
                  + "endpoints: {static: [{address: '10.0.0.1:80', zone: "
                  + "z".repeat(64)
                  + "}]}\n"
                  + "edge:\n  gateway: public\n  hosts: ["
                  + host
                  + "]\n  cors: {allowOrigins: ['*'], allowHeaders: ["
                  + "x".repeat(65)
                  + "]}\n");

      assertThat(errors)
          .extracting(e -> e.substring(0, e.indexOf(": '") + 1))
          .contains(
              "mesh.yaml:1:7: name:",
              "mesh.yaml:2:14: trustDomain:",
              "mesh.yaml:3:19: gateways[0].name:",
              "services/web.yaml:2:8: owner:",
              "services/web.yaml:5:23: dependencies[0].name:",
              "services/web.yaml:6:53: endpoints.static[0].zone:",
              "services/web.yaml:9:11: edge.hosts[0]:",
              "services/web.yaml:10:46: edge.cors.allowHeaders[0]:");
      // Values are quoted up to 64 characters, never in full.
      assertThat(errors).allSatisfy(e -> assertThat(e).doesNotContain(host).hasSizeLessThan(500));
    }
  }

  @Nested
  class Encodings {

    private List<String> errorsOf(byte[] bytes) throws IOException {
      DefinitionTree tree =
          new DefinitionTree.Builder()
              .read(
                  "services/web.yaml",
                  new ByteArrayInputStream(service("web").getBytes(StandardCharsets.UTF_8)))
              .read("services/x.yaml", new ByteArrayInputStream(bytes))
              .build();
      return loadErrors(tree);
    }

    @Test
    void utf16WithAByteOrderMarkIsNamed() throws IOException {
      assertThat(errorsOf(service("x").getBytes(StandardCharsets.UTF_16LE.newEncoder().charset())))
          .containsExactly("services/x.yaml:1:1: not UTF-8 text (byte 0x00 at offset 1)");
      byte[] bom = {(byte) 0xFF, (byte) 0xFE, 'n', 0, 'a', 0};
      assertThat(errorsOf(bom))
          .containsExactly("services/x.yaml:1:1: not UTF-8 text (byte 0xFF at offset 0)");
      assertThat(errorsOf(service("x").getBytes(StandardCharsets.UTF_16)))
          .as("Java's UTF-16 writes a big-endian byte order mark")
          .containsExactly("services/x.yaml:1:1: not UTF-8 text (byte 0xFE at offset 0)");
    }

    @Test
    void utf16WithoutAByteOrderMarkIsNamed() throws IOException {
      assertThat(errorsOf(service("x").getBytes(StandardCharsets.UTF_16BE)))
          .containsExactly("services/x.yaml:1:1: not UTF-8 text (byte 0x00 at offset 0)");
    }

    @Test
    void binaryIsNamedAtItsLine() throws IOException {
      byte[] bytes = {'n', 'a', 'm', 'e', ':', ' ', 'x', '\n', '#', ' ', (byte) 0xC3, '(', '\n'};
      assertThat(errorsOf(bytes))
          .containsExactly("services/x.yaml:2:1: not UTF-8 text (byte 0xC3 at offset 10)");
    }

    @Test
    void aFileNotUtf8OnDiskDoesNotAbortTheLoad() throws IOException {
      Path defs = tmp.resolve("defs");
      write(defs.resolve("services/web.yaml"), service("web", "dependencies: [{name: nobody}]"));
      Files.createDirectories(defs.resolve("templates"));
      Files.write(defs.resolve("services/x.yaml"), service("x").getBytes(StandardCharsets.UTF_16));
      Files.write(defs.resolve("templates/bin.j2"), new byte[] {(byte) 0x89, 'P', 'N', 'G'});

      assertThat(loadErrors(DefinitionTree.fromDirectory(defs)))
          .containsExactly(
              "services/web.yaml:5:23: dependencies[0].name: unknown service 'nobody' (no file"
                  + " under services/ defines it)",
              "services/x.yaml:1:1: not UTF-8 text (byte 0xFE at offset 0)",
              "templates/bin.j2:1:1: not UTF-8 text (byte 0x89 at offset 0)");
    }
  }

  @Nested
  class Yaml {

    @Test
    void nestingTooDeepIsLocatedAtTheCollectionThatIsTooDeep() {
      // The top mapping and edge are two levels: the 19th '[' is the 21st level.
      String deep = "[".repeat(21) + "]".repeat(21);
      assertThat(errors("services/web.yaml", service("web") + "edge:\n  hosts: " + deep + "\n"))
          .containsExactly(
              "services/web.yaml:6:28: invalid YAML: mappings and lists are nested deeper than 20"
                  + " levels");
    }

    @Test
    void nestingAtTheLimitIsNoSyntaxError() {
      // 19 lists under the top mapping: 20 levels, refused as a wrong value, not as YAML.
      String deep = "[".repeat(19) + "]".repeat(19);
      assertThat(errors("services/web.yaml", service("web") + "owners: " + deep + "\n"))
          .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
          .doesNotContain("invalid YAML");
    }

    @Test
    void parserMessagesQuotingTheFileAreCapped() {
      String alias = "A" + MARKER.repeat(300);
      List<String> errors =
          errors("services/web.yaml", service("web") + "owner2: *" + alias + "\n");
      assertThat(errors)
          .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
          .startsWith("services/web.yaml:5:9: invalid YAML: found undefined alias A")
          .endsWith("...")
          .hasSizeLessThan(300);
    }
  }
}
