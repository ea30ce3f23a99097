package dev.trellis.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where the mesh CA is kept when {@code --ca-dir} is not given, one place for {@code certs init},
 * {@code certs issue} and {@code serve}: {@code $XDG_DATA_HOME/trellis/ca}, else {@code
 * ~/.local/share/trellis/ca} (the XDG base directory default). Per user rather than per working
 * directory, so the CA key is never written into a definitions repository by accident.
 */
final class DefaultCaDir {

  /** How --help states the default. */
  static final String DESCRIPTION = "$XDG_DATA_HOME/trellis/ca, else ~/.local/share/trellis/ca";

  private DefaultCaDir() {}

  static Path get() {
    return of(System.getenv(), System.getProperty("user.home"));
  }

  /** The XDG specification ignores a relative or empty {@code XDG_DATA_HOME}. */
  static Path of(Map<String, String> env, String userHome) {
    String data = env.get("XDG_DATA_HOME");
    Path base =
        data != null && !data.isBlank() && Path.of(data).isAbsolute()
            ? Path.of(data)
            : Path.of(userHome, ".local", "share");
    return base.resolve("trellis").resolve("ca");
  }

  /** The default directory if it holds a CA root ({@code serve} generates one otherwise). */
  static Optional<Path> withRoot() {
    Path dir = get();
    return Files.isRegularFile(dir.resolve("ca.crt")) ? Optional.of(dir) : Optional.empty();
  }
}
