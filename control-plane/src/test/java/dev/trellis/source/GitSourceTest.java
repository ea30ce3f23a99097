package dev.trellis.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Follows a local repository (JGit fetches it like any other) through commits. */
class GitSourceTest {

  @TempDir Path tmp;

  private RevCommit commit(Git git, String message) throws Exception {
    git.add().addFilepattern(".").call();
    git.add().setUpdate(true).addFilepattern(".").call();
    return git.commit().setMessage(message).setSign(false).call();
  }

  private static void write(Path file, String content) throws Exception {
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
  }

  @Test
  void writesTheDefinitionsAtTheRefAndFollowsIt() throws Exception {
    Path repo = tmp.resolve("repo");
    Path defs = repo.resolve("platform/mesh");
    try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
      write(defs.resolve("mesh.yaml"), "name: shop\n");
      write(defs.resolve("services/web.yaml"), "name: web\n");
      write(defs.resolve("services/api.yaml"), "name: api\n");
      write(repo.resolve("README.md"), "not a definition\n");
      RevCommit first = commit(git, "first");
      Path checkout = tmp.resolve("checkout");

      try (GitSource source =
          new GitSource(repo.toString(), "main", "platform/mesh", tmp.resolve("cache"), checkout)) {
        assertThat(source.sync()).contains(first.getId());
        assertThat(Files.readString(checkout.resolve("services/web.yaml")))
            .isEqualTo("name: web\n");
        assertThat(checkout.resolve("README.md")).doesNotExist();
        assertThat(source.sync()).as("the ref did not move").isEmpty();

        // Edit one service, delete another, push nothing: the branch moving is enough.
        write(defs.resolve("services/web.yaml"), "name: web\nowner: team-web\n");
        Files.delete(defs.resolve("services/api.yaml"));
        RevCommit second = commit(git, "second");
        // Uncommitted work in the repository is not served.
        write(defs.resolve("services/draft.yaml"), "name: draft\n");

        Optional<ObjectId> synced = source.sync();

        assertThat(synced).contains(second.getId());
        assertThat(source.current()).contains(second.getId());
        assertThat(Files.readString(checkout.resolve("services/web.yaml")))
            .isEqualTo("name: web\nowner: team-web\n");
        assertThat(checkout.resolve("services/api.yaml")).doesNotExist();
        assertThat(checkout.resolve("services/draft.yaml")).doesNotExist();
      }

      // A new source over the same cache starts from the bare clone already there.
      try (GitSource again =
          new GitSource(repo.toString(), "main", "platform/mesh", tmp.resolve("cache"), checkout)) {
        assertThat(again.sync()).isPresent();
      }
    }
  }

  @Test
  void aRefOrPathWithoutDefinitionsIsAClearErrorAndTheCheckoutIsKept() throws Exception {
    Path repo = tmp.resolve("repo");
    try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
      write(repo.resolve("mesh.yaml"), "name: shop\n");
      commit(git, "first");
    }
    Path checkout = tmp.resolve("checkout");
    try (GitSource source =
        new GitSource(repo.toString(), "release", "", tmp.resolve("c1"), checkout)) {
      assertThatThrownBy(source::sync)
          .isInstanceOf(GitSource.GitSourceException.class)
          .hasMessage("ref 'release' is not a branch, tag or commit of " + repo);
    }
    try (GitSource source =
        new GitSource(repo.toString(), "main", "elsewhere", tmp.resolve("c2"), checkout)) {
      assertThatThrownBy(source::sync)
          .isInstanceOf(GitSource.GitSourceException.class)
          .hasMessageEndingWith(
              "has no definitions under 'elsewhere' (mesh.yaml, services/, templates/)");
    }
    try (GitSource source =
        new GitSource(tmp.resolve("nowhere").toString(), "main", "", tmp.resolve("c3"), checkout)) {
      assertThatThrownBy(source::sync)
          .isInstanceOf(GitSource.GitSourceException.class)
          .hasMessageStartingWith("cannot fetch " + tmp.resolve("nowhere") + ": ");
    }
    assertThat(checkout).doesNotExist();
  }

  @Test
  void aCommitWithASymlinkOrAFileOverTheLimitsIsRefusedAndTheCheckoutIsKept() throws Exception {
    Path repo = tmp.resolve("repo");
    try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
      write(repo.resolve("services/web.yaml"), "name: web\n");
      RevCommit first = commit(git, "first");
      Path checkout = tmp.resolve("checkout");
      try (GitSource source =
          new GitSource(repo.toString(), "main", "", tmp.resolve("cache"), checkout)) {
        assertThat(source.sync()).contains(first.getId());

        Path secret = tmp.resolve("secret.txt");
        Files.writeString(secret, "TRELLIS-SECRET-MARKER\n");
        Files.createSymbolicLink(repo.resolve("services/x.yaml"), secret);
        write(repo.resolve("services/long.yaml"), "# " + "a".repeat(2 << 20) + "\n");
        Files.write(
            repo.resolve("services/utf16.yaml"),
            "name: utf16\n".getBytes(java.nio.charset.StandardCharsets.UTF_16));
        RevCommit second = commit(git, "second");
        assertThat(git.getRepository().exactRef("HEAD").getObjectId()).isEqualTo(second.getId());

        assertThatThrownBy(source::sync)
            .isInstanceOf(GitSource.GitSourceException.class)
            .hasMessage(
                "commit "
                    + second.abbreviate(12).name()
                    + " of "
                    + repo
                    + " has files that are not read:"
                    + " services/long.yaml:1:1: line is longer than 16384 bytes (16 KiB), the limit"
                    + " for a line of a definitions file;"
                    + " services/utf16.yaml:1:1: not UTF-8 text (byte 0xFE at offset 0);"
                    + " services/x.yaml:1:1: is a symlink in Git (definitions read from Git must be"
                    + " regular files)")
            .message()
            .doesNotContain("TRELLIS-SECRET-MARKER");
        assertThat(source.current()).contains(first.getId());
        assertThat(checkout.resolve("services/x.yaml")).doesNotExist();
        assertThat(checkout.resolve("services/web.yaml")).exists();
      }
    }
  }

  @Test
  void aTemporaryCloneIsRemovedOnClose() throws Exception {
    Path repo = tmp.resolve("repo");
    try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
      write(repo.resolve("mesh.yaml"), "name: shop\n");
      RevCommit first = commit(git, "first");
      GitSource source = GitSource.inTemporaryDirectory(repo.toString(), "main", "");
      Path dir = source.checkout().getParent();
      assertThat(dir.getFileName().toString()).startsWith("trellis-git");
      assertThat(source.sync()).contains(first.getId());
      assertThat(source.checkout().resolve("mesh.yaml")).hasContent("name: shop");

      source.close();

      assertThat(dir).doesNotExist();
      assertThat(source.sync()).as("a closed source syncs nothing").isEmpty();
    }
  }
}
