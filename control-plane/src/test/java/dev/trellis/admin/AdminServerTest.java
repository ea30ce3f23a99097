package dev.trellis.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trellis.publish.PackedResources;
import dev.trellis.publish.SnapshotPublisher;
import dev.trellis.stream.NodeGroup;
import dev.trellis.stream.ProxyStatus;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Slow or hostile clients of the admin port cannot starve its health checks. */
class AdminServerTest {

  private static final AdminServer.Limits LONG =
      new AdminServer.Limits(Duration.ofSeconds(60), Duration.ofSeconds(30), 512, 2, 1 << 20);

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final List<Socket> sockets = new ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();
  private AdminServer admin;

  private AdminServer start(AdminServer.Limits limits) throws IOException {
    return start(limits, List.of());
  }

  private AdminServer start(AdminServer.Limits limits, List<ProxyStatus> proxies)
      throws IOException {
    admin =
        AdminServer.start(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            new SnapshotPublisher(new SimpleCache<>(new NodeGroup()), new PackedResources()),
            () -> proxies,
            registry,
            new ReloadStatus(registry),
            new AnalysisStatus(registry),
            TreeMap::new,
            limits);
    return admin;
  }

  @AfterEach
  void close() throws IOException {
    for (Socket s : sockets) {
      s.close();
    }
    if (admin != null) {
      admin.close();
    }
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private Socket connect() throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), admin.port());
    sockets.add(s);
    return s;
  }

  /** A connection that sends half a request line and then nothing. */
  private Socket stalled() throws IOException {
    Socket s = connect();
    OutputStream out = s.getOutputStream();
    out.write("GET /heal".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return s;
  }

  /** Reads until the server closes; fails if it has not within the wait. */
  private static String readToClose(Socket s, Duration wait) throws IOException {
    s.setSoTimeout((int) wait.toMillis());
    InputStream in = s.getInputStream();
    return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
  }

  @Test
  void fiftyStalledConnectionsDoNotBlockHealthzOrReadyz() throws Exception {
    start(LONG);
    for (int i = 0; i < 50; i++) {
      stalled();
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> admin.openConnections() == 50);

    HttpResponse<String> health = get("/healthz");
    HttpResponse<String> ready = get("/readyz");

    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).isEqualTo("ok\n");
    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(admin.openConnections()).isGreaterThanOrEqualTo(50); // the stalled ones still open
  }

  @Test
  void stalledConnectionsAreClosedAtTheRequestTimeout() throws Exception {
    Duration timeout = Duration.ofSeconds(1);
    start(new AdminServer.Limits(timeout, Duration.ofSeconds(30), 512, 2, 1 << 20));
    List<Socket> stalled = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      stalled.add(stalled());
    }
    long start = System.nanoTime();

    for (Socket s : stalled) {
      assertThat(readToClose(s, Duration.ofSeconds(30))).isEmpty(); // closed, nothing answered
    }

    // Closed by the server's timer, not before it (and well within the wait on a busy machine).
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(timeout.minusMillis(100));
    await().atMost(Duration.ofSeconds(10)).until(() -> admin.openConnections() == 0);
    assertThat(get("/healthz").statusCode()).isEqualTo(200);
  }

  @Test
  void aRequestTrickledInAByteAtATimeIsClosedAtTheRequestTimeout() throws Exception {
    Duration timeout = Duration.ofSeconds(1);
    start(new AdminServer.Limits(timeout, Duration.ofSeconds(30), 512, 2, 1 << 20));
    Socket s = connect();
    OutputStream out = s.getOutputStream();
    // A byte every 100 ms: never idle long enough for a read timeout, never done either.
    ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
    long start = System.nanoTime();
    trickle.scheduleWithFixedDelay(
        () -> {
          try {
            out.write('a');
            out.flush();
          } catch (IOException closed) {
            throw new UncheckedIOException(closed); // ends the schedule
          }
        },
        0,
        100,
        TimeUnit.MILLISECONDS);
    try {
      out.write("GET /healthz?".getBytes(StandardCharsets.US_ASCII));

      assertThat(readToClose(s, Duration.ofSeconds(30))).isEmpty();
    } finally {
      trickle.shutdownNow();
    }

    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(timeout.minusMillis(100));
  }

  @Test
  void clientChosenNamesAreCutInDebugProxies() throws Exception {
    String id = "n".repeat(1 << 20);
    start(
        LONG,
        List.of(
            new ProxyStatus(
                id,
                "g".repeat(1 << 20),
                false,
                1,
                false,
                new ProxyStatus.Client("gRPC Node Pure JS", "v".repeat(1 << 20), List.of()),
                Instant.EPOCH,
                Map.of())));

    HttpResponse<String> proxies = get("/debug/proxies");

    assertThat(proxies.statusCode()).isEqualTo(200);
    assertThat(proxies.body()).hasSizeLessThan(8 * 1024).contains("(1047552 more characters)");
  }

  @Test
  void debugProxiesNamesEachProxysClientByTheCapabilityModel() throws Exception {
    start(
        LONG,
        List.of(
            new ProxyStatus(
                "web-1",
                "grpc:web",
                true,
                1,
                false,
                new ProxyStatus.Client(
                    "gRPC C-core linux Python",
                    "C-core 29.0.0 Python 1.51.1",
                    List.of("envoy.lb.does_not_support_overprovisioning")),
                Instant.EPOCH,
                Map.of()),
            new ProxyStatus(
                "x-1",
                "x",
                false,
                2,
                true,
                new ProxyStatus.Client("my-xds", "", List.of()),
                Instant.EPOCH,
                Map.of())));

    JsonNode proxies = new ObjectMapper().readTree(get("/debug/proxies").body()).path("proxies");

    assertThat(proxies.get(0).path("client").toString())
        .isEqualTo(
            "{\"name\":\"gRPC C-core linux Python\",\"version\":\"C-core 29.0.0 Python 1.51.1\","
                + "\"kind\":\"grpc-core\",\"release\":\"1.51.1\","
                + "\"features\":[\"envoy.lb.does_not_support_overprovisioning\"]}");
    assertThat(proxies.get(1).path("client").toString())
        .isEqualTo("{\"name\":\"my-xds\",\"version\":\"\",\"kind\":\"unknown\",\"features\":[]}");
  }

  @Test
  void connectionsBeyondTheLimitAreClosedAtOnce() throws Exception {
    start(new AdminServer.Limits(Duration.ofSeconds(60), Duration.ofSeconds(30), 5, 2, 1 << 20));
    for (int i = 0; i < 5; i++) {
      stalled();
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> admin.openConnections() == 5);

    Socket extra = connect();
    extra.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());

    assertThat(readToClose(extra, Duration.ofSeconds(30))).isEmpty();
  }

  @Test
  void oversizedHeadersAreRefused() throws Exception {
    start(LONG);
    Socket s = connect();
    s.getOutputStream()
        .write(
            ("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(16 * 1024) + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));

    assertThat(readToClose(s, Duration.ofSeconds(30)))
        .startsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n");
  }

  @Test
  void aPageOverTheResponseLimitIsWithheld() throws Exception {
    start(new AdminServer.Limits(Duration.ofSeconds(60), Duration.ofSeconds(30), 512, 2, 200));

    HttpResponse<String> metrics = get("/metrics");

    assertThat(metrics.statusCode()).isEqualTo(503);
    assertThat(metrics.body())
        .matches("the page is \\d+ bytes, over the admin API's limit of 200 bytes\n");
    assertThat(get("/healthz").body()).isEqualTo("ok\n");
  }

  @Test
  void onlyGetIsServedAndUnknownPagesAreNamed() throws Exception {
    start(LONG);

    HttpResponse<String> post =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + "/healthz"))
                .POST(HttpRequest.BodyPublishers.ofString("x"))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> missing = get("/nope");

    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.body()).startsWith("no such page: /nope\npages: /healthz /readyz /metrics");
  }
}
