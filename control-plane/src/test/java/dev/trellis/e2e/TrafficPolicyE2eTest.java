package dev.trellis.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.model.DefinitionTree;
import dev.trellis.model.Mesh;
import dev.trellis.model.load.DefinitionLoader;
import dev.trellis.render.MeshRenderer;
import dev.trellis.serve.ControlPlane;
import dev.trellis.stream.ProxyStatus;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real grpc-xds client (its own JVM) honours the traffic policy its dependencies declare in the
 * definitions, as loaded, rendered by the default templates and served by the control plane: a
 * backend that fails the first attempt is retried and the call succeeds; a backend that does not
 * answer in time fails the call with DEADLINE_EXCEEDED although the call itself has no deadline.
 */
class TrafficPolicyE2eTest {

  private static final String NODE = "web-policy-e2e";

  @TempDir Path dir;

  private final ControlPlane cp;
  private final PolicyBackend flaky =
      new PolicyBackend("flaky", PolicyBackend.Behavior.FAIL_EVERY_OTHER_CALL);
  private final PolicyBackend slow = new PolicyBackend("slow", PolicyBackend.Behavior.HANG);

  TrafficPolicyE2eTest() throws IOException {
    InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    cp = ControlPlane.start(new ControlPlane.Options(loopback, loopback, Duration.ZERO));
  }

  @AfterEach
  void close() throws InterruptedException {
    cp.close();
    flaky.close();
    slow.close();
  }

  /** web calls flaky (retried on UNAVAILABLE) and slow (300ms timeout), all as definitions. */
  private Mesh mesh() {
    Map<String, String> files = new TreeMap<>();
    files.put("mesh.yaml", "name: e2e\ntrafficDefaults: {timeout: 20s}\n");
    files.put(
        "services/web.yaml",
        """
        name: web
        owner: team-web
        protocol: http
        port: 8080
        proxyless: true
        dependencies:
          - name: flaky
            retries: {attempts: 2, on: [unavailable]}
          - name: slow
            timeout: 300ms
            retries: {attempts: 2, on: [unavailable]}
        """);
    files.put("services/flaky.yaml", backend("flaky", flaky.port()));
    files.put("services/slow.yaml", backend("slow", slow.port()));
    return DefinitionLoader.load(new DefinitionTree(new TreeMap<>(files))).orElseThrow();
  }

  private static String backend(String name, int port) {
    return "name: "
        + name
        + "\nowner: team-"
        + name
        + "\nprotocol: grpc\nport: "
        + port
        + "\nendpoints: {static: [\"127.0.0.1:"
        + port
        + "\"]}\n";
  }

  @Test
  void theClientRetriesAFailedFirstAttemptAndGivesUpOnASlowBackendAtItsTimeout() throws Exception {
    cp.publish(new MeshRenderer().render(mesh()));
    try (XdsClientProcess client = XdsClientProcess.start(dir, cp.xdsPort(), NODE, "web")) {
      // One RPC, two attempts: the first fails UNAVAILABLE, the retry succeeds.
      assertThat(client.callWithoutDeadline("xds:///flaky")).isEqualTo("ok flaky call 2");
      assertThat(flaky.calls.get()).isEqualTo(2);
      assertThat(client.callWithoutDeadline("xds:///flaky")).isEqualTo("ok flaky call 4");
      assertThat(flaky.calls.get()).isEqualTo(4);

      // The call has no deadline of its own: only the dependency's timeout can end it.
      assertThat(client.callWithoutDeadline("xds:///slow")).startsWith("err DEADLINE_EXCEEDED");
      // A timeout is not UNAVAILABLE: no retry.
      assertThat(slow.calls.get()).isEqualTo(1);

      // The client took every resource as rendered (no NACK of the policy fields).
      ProxyStatus proxy =
          cp.xds().proxies().stream()
              .filter(p -> p.nodeId().equals(NODE))
              .findFirst()
              .orElseThrow();
      assertThat(proxy.group()).isEqualTo("grpc:web");
      proxy.types().forEach((type, status) -> assertThat(status.nacks()).as(type).isZero());
    }
  }
}
