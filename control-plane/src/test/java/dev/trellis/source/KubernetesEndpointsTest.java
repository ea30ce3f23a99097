package dev.trellis.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trellis.model.DefinitionTree;
import dev.trellis.model.HostPort;
import dev.trellis.model.Mesh;
import dev.trellis.model.load.DefinitionLoader;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Against fabric8's mock API server in CRUD mode, over plain HTTP on loopback. */
class KubernetesEndpointsTest {

  private KubernetesMockServer server;
  private KubernetesClient client;
  private final AtomicInteger changes = new AtomicInteger();
  private KubernetesEndpoints source;

  @BeforeEach
  void start() {
    server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new KubernetesCrudDispatcher(),
            false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    client = server.createClient();
    source = new KubernetesEndpoints(client, changes::incrementAndGet);
  }

  @AfterEach
  void stop() {
    source.close();
    client.close();
    server.destroy();
  }

  static Mesh mesh(String... services) {
    Map<String, String> files = new TreeMap<>();
    for (String s : services) {
      String name = s.substring(s.indexOf("name: ") + 6, s.indexOf('\n'));
      files.put("services/" + name + ".yaml", s);
    }
    return DefinitionLoader.load(new DefinitionTree(new TreeMap<>(files))).orElseThrow();
  }

  static final String PAYMENTS =
      """
      name: payments
      owner: team-payments
      protocol: http
      port: 8080
      endpoints:
        static: ["10.9.0.1:8080"]
        kubernetes: {namespace: shop, service: payments-svc}
      """;

  static final String LEDGER =
      """
      name: ledger
      owner: team-ledger
      protocol: grpc
      port: 9090
      endpoints:
        kubernetes: {namespace: finance, service: ledger}
      """;

  static EndpointSlice slice(String ns, String name, String service, int port, String... ips) {
    EndpointSliceBuilder b =
        new EndpointSliceBuilder()
            .withNewMetadata()
            .withNamespace(ns)
            .withName(name)
            .addToLabels(KubernetesEndpoints.SERVICE_NAME_LABEL, service)
            .endMetadata()
            .withAddressType("IPv4")
            .addNewPort()
            .withName("http")
            .withPort(port)
            .withProtocol("TCP")
            .endPort();
    for (String ip : ips) {
      b.addToEndpoints(
          new EndpointBuilder()
              .withAddresses(ip)
              .withZone("zone-a")
              .withNewConditions()
              .withReady(true)
              .endConditions()
              .build());
    }
    return b.build();
  }

  @Test
  void followsTheReadyEndpointsOfTheNamedServices() {
    client.resource(slice("shop", "payments-svc-a", "payments-svc", 8080, "10.1.0.1")).create();
    client.resource(slice("shop", "other-a", "other", 8080, "10.1.9.9")).create();

    source.watch(mesh(PAYMENTS, LEDGER));

    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> source.of("payments").equals(List.of(new HostPort("10.1.0.1", 8080, "zone-a"))));
    assertThat(source.of("ledger")).isEmpty();
    assertThat(source.of("unknown")).isEmpty();

    // A second slice of the same Service, one unready and one terminating endpoint.
    EndpointSlice b = slice("shop", "payments-svc-b", "payments-svc", 8080, "10.1.0.2");
    b.getEndpoints()
        .add(
            new EndpointBuilder()
                .withAddresses("10.1.0.3")
                .withNewConditions()
                .withReady(false)
                .endConditions()
                .build());
    b.getEndpoints()
        .add(
            new EndpointBuilder()
                .withAddresses("10.1.0.4")
                .withNewConditions()
                .withTerminating(true)
                .endConditions()
                .build());
    int before = changes.get();
    client.resource(b).create();
    client.resource(slice("finance", "ledger-a", "ledger", 9090, "10.2.0.1")).create();

    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                source
                        .of("payments")
                        .equals(
                            List.of(
                                new HostPort("10.1.0.1", 8080, "zone-a"),
                                new HostPort("10.1.0.2", 8080, "zone-a")))
                    && source
                        .of("ledger")
                        .equals(List.of(new HostPort("10.2.0.1", 9090, "zone-a"))));
    assertThat(changes.get()).isGreaterThan(before);

    client.resource(slice("shop", "payments-svc-a", "payments-svc", 8080, "10.1.0.1")).delete();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> source.of("payments").equals(List.of(new HostPort("10.1.0.2", 8080, "zone-a"))));
  }

  @Test
  void aSlicePortOtherThanTheDeclaredOneIsUsedOnlyWhenItIsTheOnlyPort() {
    EndpointSlice twoPorts = slice("shop", "payments-svc-a", "payments-svc", 9000, "10.1.0.1");
    twoPorts
        .getPorts()
        .add(
            new io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort(
                null, "metrics", 9100, "TCP"));
    client.resource(twoPorts).create();
    client.resource(slice("finance", "ledger-a", "ledger", 19090, "10.2.0.1")).create();

    source.watch(mesh(PAYMENTS, LEDGER));

    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> source.of("ledger").equals(List.of(new HostPort("10.2.0.1", 19090, "zone-a"))));
    assertThat(source.of("payments")).as("two ports, neither the declared 8080").isEmpty();
  }

  @Test
  void aServiceNoLongerNamedIsForgotten() {
    client.resource(slice("finance", "ledger-a", "ledger", 9090, "10.2.0.1")).create();
    source.watch(mesh(PAYMENTS, LEDGER));
    await().atMost(Duration.ofSeconds(10)).until(() -> !source.of("ledger").isEmpty());

    source.watch(mesh(PAYMENTS));

    assertThat(source.of("ledger")).isEmpty();
    assertThat(source.instances()).containsOnlyKeys("payments");
  }
}
