package dev.trellis.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trellis.cli.TrellisCli;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

  private static final Pattern PORTS =
      Pattern.compile("xDS on 127\\.0\\.0\\.1:(\\d+), admin on 127\\.0\\.0\\.1:(\\d+)");
  private static final Duration CATCH_UP = Duration.ofSeconds(60);

  @TempDir Path dir;

  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> admin(int port, String path) {
    try {
      return http.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
              .timeout(Duration.ofSeconds(10))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

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
    Path serveLog = dir.resolve("serve-stderr.log");
    try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
      commit(git, defs.resolve("mesh.yaml"), "name: shop\n");
      commit(git, defs.resolve("services/api.yaml"), service("api", 8080));
      RevCommit first =
          commit(
              git,
              defs.resolve("services/web.yaml"),
              service("web", 3000, "dependencies: [{name: api}]"));
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process serve =
          new ProcessBuilder(
                  List.of(
                      java,
                      "-Xmx384m",
                      "-cp",
                      System.getProperty("java.class.path"),
                      TrellisCli.class.getName(),
                      "serve",
                      "--git",
                      repo.toString(),
                      "--ref",
                      "main",
                      "--git-path",
                      "mesh",
                      "--git-poll",
                      "1s",
                      "--git-dir",
                      dir.resolve("state").toString(),
                      "--xds-port",
                      "0",
                      "--admin-port",
                      "0",
                      "--bind",
                      "127.0.0.1"))
              .redirectError(serveLog.toFile())
              .start();
      try {
        BufferedReader out =
            new BufferedReader(
                new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine())
            .as("stderr: %s", Files.readString(serveLog))
            .isEqualTo("trellis: " + repo + " at main is commit " + first.name());
        String banner = out.readLine();
        Matcher ports = PORTS.matcher(String.valueOf(banner));
        assertThat(ports.find()).as(banner).isTrue();
        int adminPort = Integer.parseInt(ports.group(2));
        await().atMost(CATCH_UP).until(() -> admin(adminPort, "/readyz").statusCode() == 200);
        assertThat(admin(adminPort, "/debug/config_dump?group=web").body()).doesNotContain("cart");

        // A new service and a caller of it, in one commit (commit() adds every file).
        Files.writeString(defs.resolve("services/cart.yaml"), service("cart", 8081));
        commit(
            git,
            defs.resolve("services/web.yaml"),
            service("web", 3000, "dependencies: [{name: api}, {name: cart}]"));
        await()
            .atMost(CATCH_UP)
            .until(() -> admin(adminPort, "/debug/config_dump?group=web").body().contains("cart"));

        commit(git, defs.resolve("services/api.yaml"), service("api", 0));
        await()
            .atMost(CATCH_UP)
            .until(
                () -> admin(adminPort, "/debug/errors").body().contains("services/api.yaml:4:7"));
        HttpResponse<String> ready = admin(adminPort, "/readyz");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("serving the last good config");
        assertThat(admin(adminPort, "/debug/config_dump?group=web").body()).contains("cart");
      } finally {
        serve.destroy();
        if (!serve.waitFor(20, TimeUnit.SECONDS)) {
          serve.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      }
    }
  }
}
