package dev.trellis.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.testing.Definitions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code trellis serve --kubernetes} in its own JVM, against fabric8's mock API server in CRUD
 * mode: a grpc-xds client in a third JVM reaches {@code xds:///greeter} at the instance its
 * EndpointSlice names, and follows the slice when the instance moves.
 */
class KubernetesServeE2eTest {

  private static final Duration CATCH_UP = Duration.ofSeconds(60);

  @TempDir Path dir;

  static EndpointSlice greeterSlice(int port) {
    return new EndpointSliceBuilder()
        .withNewMetadata()
        .withNamespace("demo")
        .withName("greeter-abc12")
        .addToLabels("kubernetes.io/service-name", "greeter")
        .endMetadata()
        .withAddressType("IPv4")
        .addNewPort()
        .withName("grpc")
        .withPort(port)
        .withProtocol("TCP")
        .endPort()
        .addNewEndpoint()
        .withAddresses("127.0.0.1")
        .withNewConditions()
        .withReady(true)
        .endConditions()
        .endEndpoint()
        .build();
  }

  @Test
  void instancesComeFromTheEndpointSlicesOfTheNamedService() throws Exception {
    KubernetesMockServer api =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new KubernetesCrudDispatcher(),
            false);
    api.init(InetAddress.getLoopbackAddress(), 0);
    try (KubernetesClient kube = api.createClient();
        EchoBackend a = new EchoBackend("backend-a");
        EchoBackend b = new EchoBackend("backend-b")) {
      Definitions defs = new Definitions(dir.resolve("defs"), a.port());
      defs.write(
          "services/greeter.yaml",
          """
          name: greeter
          owner: team-greeter
          protocol: grpc
          port: 50051
          endpoints:
            kubernetes: {namespace: demo, service: greeter}
          """);
      kube.resource(greeterSlice(a.port())).create();
      Path kubeconfig =
          Files.writeString(
              dir.resolve("kubeconfig"),
              """
              apiVersion: v1
              kind: Config
              clusters:
              - name: mock
                cluster: {server: "http://127.0.0.1:%d"}
              contexts:
              - name: mock
                context: {cluster: mock, user: mock, namespace: demo}
              current-context: mock
              users:
              - name: mock
                user: {token: not-checked}
              """
                  .formatted(api.getPort()));
      try (ServeProcess serve =
          ServeProcess.start(
              dir,
              Map.of("KUBECONFIG", kubeconfig.toString()),
              "--defs",
              defs.root().toString(),
              "--kubernetes",
              "--debounce-ms",
              "100")) {
        serve.awaitBanner();
        int xdsPort = serve.xdsPort();

        try (XdsClientProcess client = XdsClientProcess.start(dir, xdsPort, "web-1", "web")) {
          assertThat(client.callUntil("xds:///greeter", "ok backend-a", CATCH_UP))
              .as("stderr: %s", serve.stderrText())
              .isEqualTo("ok backend-a");

          kube.resource(greeterSlice(b.port())).update();

          assertThat(client.callUntil("xds:///greeter", "ok backend-b", CATCH_UP))
              .isEqualTo("ok backend-b");
        }
      }
    } finally {
      api.destroy();
    }
  }
}
