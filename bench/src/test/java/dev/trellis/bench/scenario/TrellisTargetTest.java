package dev.trellis.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TrellisTargetTest {

  private static final String USAGE =
      """
      Usage: trellis [-hV] [COMMAND]
      An xDS control plane for an Envoy sidecar mesh.
        -h, --help      Show this help message and exit.
      Commands:
        help   Display help information about the specified command.
        certs  Create a mesh CA root and issue SPIFFE workload certificates.
      """;

  @Test
  void tellsWhetherTheCliHasServe() {
    assertThat(TrellisTarget.hasServe(USAGE)).isFalse();
    assertThat(TrellisTarget.hasServe(USAGE + "  serve  Serve the mesh over ADS.\n")).isTrue();
    assertThat(TrellisTarget.hasServe("An option --serve-foo\nCommands:\n  server  x\n")).isFalse();
  }
}
