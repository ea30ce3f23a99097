package dev.trellis.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.cli.TrellisCli;
import dev.trellis.model.DefinitionTree;
import dev.trellis.model.load.DefinitionLoader;
import dev.trellis.render.MeshRenderer;
import dev.trellis.serve.ControlPlane;
import dev.trellis.testing.Definitions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A proxyless gRPC app in its own JVM, started from nothing but the bootstrap {@code trellis
 * bootstrap} wrote, reaches its dependency through Trellis.
 */
class BootstrapE2eTest {

  @TempDir Path dir;

  @Test
  void aGrpcAppStartsFromTheBootstrapTrellisWrites() throws Exception {
    InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    try (EchoBackend a = new EchoBackend("backend-a");
        ControlPlane cp =
            ControlPlane.start(new ControlPlane.Options(loopback, loopback, Duration.ZERO))) {
      Definitions defs = new Definitions(dir.resolve("defs"), a.port());
      defs.write(
          "services/web.yaml",
          """
          name: web
          owner: team-web
          protocol: http
          port: 8080
          proxyless: true
          dependencies:
            - name: greeter
              timeout: 5s
          """);
      cp.publish(
          new MeshRenderer()
              .render(
                  DefinitionLoader.load(DefinitionTree.fromDirectory(defs.root())).orElseThrow()));
      Path bootstrap = dir.resolve("web-bootstrap.json");
      StringWriter err = new StringWriter();
      var cli = TrellisCli.commandLine();
      cli.setErr(new PrintWriter(err, true));
      int exit =
          cli.execute(
              "bootstrap",
              "--defs",
              defs.root().toString(),
              "--proxy",
              "web",
              "--node-id",
              "web-7",
              "--xds",
              "127.0.0.1:" + cp.xdsPort(),
              "-o",
              bootstrap.toString());
      assertThat(exit).as(err.toString()).isZero();

      try (XdsClientProcess client =
          XdsClientProcess.start(dir, bootstrap, "web-7", false, XdsClientMain.class)) {
        assertThat(client.callUntil("xds:///greeter", "ok backend-a", Duration.ofSeconds(60)))
            .isEqualTo("ok backend-a");
      }
    }
  }
}
