package dev.trellis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The host name comes from the resolver, else /etc/hostname; never from the environment. */
class HostnameTest {

  @TempDir Path tmp;

  @Test
  void theResolversNameComesFirst() throws Exception {
    Path file = Files.writeString(tmp.resolve("hostname"), "from-file\n");
    assertThat(Hostname.of(() -> " node-7.example ", file)).contains("node-7.example");
  }

  @Test
  void withoutAResolverNameTheFileIsRead() throws Exception {
    Path file = Files.writeString(tmp.resolve("hostname"), "# set by the installer\n\nnode-8\n");
    assertThat(
            Hostname.of(
                () -> {
                  throw new UnknownHostException("no DNS here");
                },
                file))
        .contains("node-8");
    assertThat(Hostname.of(() -> "", file)).contains("node-8");
  }

  @Test
  void neitherGivesNothing() {
    assertThat(
            Hostname.of(
                () -> {
                  throw new UnknownHostException("no DNS here");
                },
                tmp.resolve("missing")))
        .isEmpty();
  }
}
