package dev.trellis.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DefinitionTreeTest {

  @TempDir Path tmp;

  @Test
  void symlinksFanningOutStopAtTheLimitOfEntries() throws IOException {
    // Two links to the next directory in each of 12 directories: 2^13 - 2 directories to walk,
    // against a limit of 1,000 (the real one, 100,000, works the same way at 19 s of walking).
    Path defs = tmp.resolve("defs");
    for (int i = 0; i < 12; i++) {
      Path dir = defs.resolve("shared/d" + i);
      Files.createDirectories(dir);
      Files.createSymbolicLink(dir.resolve("a"), Path.of("../d" + (i + 1)));
      Files.createSymbolicLink(dir.resolve("b"), Path.of("../d" + (i + 1)));
    }
    Files.createDirectories(defs.resolve("shared/d12"));
    Files.createDirectories(defs.resolve("services"));
    Files.createSymbolicLink(defs.resolve("services/all"), Path.of("../shared/d0"));

    DefinitionTree tree =
        DefinitionTree.fromDirectory(defs, new DefinitionTree.Builder(1000, "too many"));

    assertThat(tree.files()).isEmpty();
    assertThat(tree.refused())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.location().file()).startsWith("services/all/a/a/a/");
              assertThat(r.message()).isEqualTo("too many");
            });
  }

  @Test
  void theEntryLimitIsPinned() {
    assertThat(DefinitionTree.MAX_ENTRIES).isEqualTo(100_000);
    assertThat(new DefinitionTree.Builder().refuse("services/a.yaml", "x").full()).isFalse();
    assertThat(DefinitionTree.TOO_MANY_ENTRIES)
        .isEqualTo(
            "is past the limit of 100000 files and directories in a definitions directory (not"
                + " read, nor any after it)");
  }
}
