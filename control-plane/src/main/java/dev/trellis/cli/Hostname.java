package dev.trellis.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * This machine's host name, from the operating system rather than the shell: bash sets {@code
 * $HOSTNAME} without exporting it, so a child process usually does not see it.
 */
final class Hostname {

  static final Path ETC_HOSTNAME = Path.of("/etc/hostname");

  /** What the resolver asks: kept apart so a test can make the lookup fail. */
  interface Lookup {
    String hostName() throws UnknownHostException;
  }

  private Hostname() {}

  /** The resolver's name for this host, else the first line of /etc/hostname. */
  static Optional<String> of() {
    return of(() -> InetAddress.getLocalHost().getHostName(), ETC_HOSTNAME);
  }

  static Optional<String> of(Lookup lookup, Path etcHostname) {
    try {
      String name = lookup.hostName();
      if (name != null && !name.isBlank()) {
        return Optional.of(name.strip());
      }
    } catch (UnknownHostException | SecurityException e) {
      // fall back to the file
    }
    try {
      return Files.readAllLines(etcHostname).stream()
          .map(String::strip)
          .filter(l -> !l.isEmpty() && !l.startsWith("#"))
          .findFirst();
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
