package dev.trellis.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A small definitions repo on disk: gRPC service {@code greeter} (no sidecar, static endpoints on
 * loopback) called by gRPC app {@code web}, so group {@code grpc:web} serves {@code
 * xds:///greeter}.
 */
public final class Definitions {

  private final Path root;

  public Definitions(Path root, int greeterPort) {
    this.root = root;
    write("mesh.yaml", "name: demo\ntrustDomain: demo.example.org\n");
    write(
        "services/web.yaml",
        """
        name: web
        owner: team-web
        protocol: http
        port: 8080
        sidecar: false
        dependencies:
          - name: greeter
            timeout: 5s
        """);
    greeter(greeterPort);
  }

  public Path root() {
    return root;
  }

  /** Points greeter's only endpoint at this loopback port. */
  public void greeter(int port) {
    write(
        "services/greeter.yaml",
        """
        name: greeter
        owner: team-greeter
        protocol: grpc
        port: 50051
        sidecar: false
        endpoints:
          static: ["127.0.0.1:%d"]
        """
            .formatted(port));
  }

  /** Replaces a file (written whole, then moved, as editors do). */
  public void write(String path, String text) {
    try {
      Path target = root.resolve(path);
      Files.createDirectories(target.getParent());
      Path temp = Files.createTempFile(root, ".edit", ".tmp");
      Files.writeString(temp, text);
      Files.move(
          temp,
          target,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
