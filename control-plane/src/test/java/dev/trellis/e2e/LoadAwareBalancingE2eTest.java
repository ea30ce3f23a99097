package dev.trellis.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.model.DefinitionTree;
import dev.trellis.model.Mesh;
import dev.trellis.model.load.DefinitionLoader;
import dev.trellis.render.MeshRenderer;
import dev.trellis.serve.ControlPlane;
import dev.trellis.stream.ProxyStatus;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lb: weighted_round_robin} with a real grpc-xds client (its own JVM): of two instances that
 * report the same request rate, the one at 10% CPU gets most calls and the one at 90% few, once the
 * client's blackout period (10 s) for new weights has passed.
 */
class LoadAwareBalancingE2eTest {

  private static final String NODE = "web-wrr-e2e";

  @TempDir Path dir;

  private static Mesh mesh(int idle, int busy) {
    Map<String, String> files = new TreeMap<>();
    files.put("mesh.yaml", "name: e2e\n");
    files.put(
        "services/web.yaml",
        """
        name: web
        owner: team-web
        protocol: http
        port: 8080
        proxyless: true
        dependencies:
          - name: pricing
            timeout: 5s
            lb: weighted_round_robin
        """);
    files.put(
        "services/pricing.yaml",
        """
        name: pricing
        owner: team-pricing
        protocol: grpc
        port: 9090
        endpoints: {static: ["127.0.0.1:%d", "127.0.0.1:%d"]}
        """
            .formatted(idle, busy));
    return DefinitionLoader.load(new DefinitionTree(new TreeMap<>(files))).orElseThrow();
  }

  @Test
  void theLessLoadedInstanceGetsMostCalls() throws Exception {
    InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    try (EchoBackend idle = new EchoBackend("idle", 0.1);
        EchoBackend busy = new EchoBackend("busy", 0.9);
        ControlPlane cp =
            ControlPlane.start(new ControlPlane.Options(loopback, loopback, Duration.ZERO))) {
      cp.publish(new MeshRenderer().render(mesh(idle.port(), busy.port())));
      try (XdsClientProcess client = XdsClientProcess.start(dir, cp.xdsPort(), NODE, "web")) {
        assertThat(client.callUntil("xds:///pricing", "ok idle", Duration.ofSeconds(60)))
            .isEqualTo("ok idle");
        // Weights need reports from both and then the blackout period; until then, round robin.
        double idleShare = 0;
        Instant deadline = Instant.now().plusSeconds(90);
        while (idleShare < 0.75 && Instant.now().isBefore(deadline)) {
          int idleBefore = idle.calls.get();
          int busyBefore = busy.calls.get();
          for (int i = 0; i < 50; i++) {
            assertThat(client.call("xds:///pricing")).startsWith("ok ");
          }
          int toIdle = idle.calls.get() - idleBefore;
          int toBusy = busy.calls.get() - busyBefore;
          idleShare = (double) toIdle / (toIdle + toBusy);
          Thread.sleep(500);
        }
        // Weights 100/0.1 against 100/0.9: about nine calls in ten to the idle instance.
        assertThat(idleShare)
            .as("share of the last 50 calls sent to the idle instance")
            .isGreaterThanOrEqualTo(0.75);
        assertThat(busy.calls.get()).as("the busy instance is not dropped").isPositive();

        ProxyStatus proxy =
            cp.xds().proxies().stream()
                .filter(p -> p.nodeId().equals(NODE))
                .findFirst()
                .orElseThrow();
        proxy.types().forEach((type, status) -> assertThat(status.nacks()).as(type).isZero());
      }
    }
  }
}
