package dev.trellis.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code trellis serve --git} in its own JVM follows a branch of a repository: a pushed change is
 * published, and a broken one is refused with its file and line while the last good commit keeps
 * serving.
 */
class ServeFromGitE2eTest {

  private static final Duration CATCH_UP = Duration.ofSeconds(60);

  @TempDir Path dir;

  private static RevCommit commit(Git git, Path file, String content) throws Exception {
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
    git.add().addFilepattern(".").call();
    return git.commit().setMessage("edit " + file.getFileName()).setSign(false).call();
  }

  private static String service(String name, int port, String... more) {
    return "name: "
        + name
        + "\nowner: team-"
        + name
        + "\nprotocol: http\nport: "
        + port
        + "\nsidecar: true\nendpoints:\n  static: [\"10.0.0.1:"
        + port
        + "\"]\n"
        + String.join("\n", more)
        + "\n";
  }

  @Test
  void followsTheBranchAndKeepsTheLastGoodCommit() throws Exception {
    Path repo = dir.resolve("repo");
    Path defs = repo.resolve("mesh");
    try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
      commit(git, defs.resolve("mesh.yaml"), "name: shop\n");
      commit(git, defs.resolve("services/api.yaml"), service("api", 8080));
      RevCommit first =
          commit(
              git,
              defs.resolve("services/web.yaml"),
              service("web", 3000, "dependencies: [{name: api}]"));
      try (ServeProcess serve =
          ServeProcess.start(
              dir,
              Map.of(),
              "--git",
              repo.toString(),
              "--ref",
              "main",
              "--git-path",
              "mesh",
              "--git-poll",
              "1s",
              "--git-dir",
              dir.resolve("state").toString())) {
        assertThat(serve.readLine())
            .isEqualTo("trellis: " + repo + " at main is commit " + first.name());
        serve.awaitBanner();
        await().atMost(CATCH_UP).until(() -> serve.admin("/readyz").statusCode() == 200);
        assertThat(serve.admin("/debug/config_dump?group=web").body()).doesNotContain("cart");

        // A new service and a caller of it, in one commit (commit() adds every file).
        Files.writeString(defs.resolve("services/cart.yaml"), service("cart", 8081));
        commit(
            git,
            defs.resolve("services/web.yaml"),
            service("web", 3000, "dependencies: [{name: api}, {name: cart}]"));
        await()
            .atMost(CATCH_UP)
            .until(() -> serve.admin("/debug/config_dump?group=web").body().contains("cart"));

        commit(git, defs.resolve("services/api.yaml"), service("api", 0));
        await()
            .atMost(CATCH_UP)
            .until(() -> serve.admin("/debug/errors").body().contains("services/api.yaml:4:7"));
        HttpResponse<String> ready = serve.admin("/readyz");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("serving the last good config");
        assertThat(serve.admin("/debug/config_dump?group=web").body()).contains("cart");
      }
    }
  }
}
