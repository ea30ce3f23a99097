package dev.trellis.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.trellis.publish.PublishedGroup;
import dev.trellis.publish.SnapshotPublisher;
import dev.trellis.sli.ProxySlis;
import dev.trellis.stream.ProxyStatus;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP API: {@code /healthz}, {@code /readyz} (ready once a config is published), {@code
 * /metrics} (Prometheus text), {@code /debug/proxies}, {@code /debug/config_dump?group=}, {@code
 * /debug/errors}, {@code /debug/findings}.
 */
public final class AdminServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
  private static final String JSON = "application/json; charset=utf-8";
  private static final String TEXT = "text/plain; charset=utf-8";
  private static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";

  private final HttpServer http;
  private final ExecutorService executor;
  private final SnapshotPublisher publisher;
  private final Supplier<List<ProxyStatus>> proxies;
  private final PrometheusMeterRegistry registry;
  private final ReloadStatus reloads;
  private final AnalysisStatus analysis;
  private final Supplier<SortedMap<String, ProxySlis.Sli>> slis;
  private final SliGauges sliGauges;
  private final AdminJson json = new AdminJson();
  private volatile Supplier<String> notices = () -> "";

  private AdminServer(
      HttpServer http,
      SnapshotPublisher publisher,
      Supplier<List<ProxyStatus>> proxies,
      PrometheusMeterRegistry registry,
      ReloadStatus reloads,
      AnalysisStatus analysis,
      Supplier<SortedMap<String, ProxySlis.Sli>> slis) {
    this.http = http;
    this.slis = slis;
    this.sliGauges = new SliGauges(registry);
    this.publisher = publisher;
    this.proxies = proxies;
    this.registry = registry;
    this.reloads = reloads;
    this.analysis = analysis;
    // Two threads: a slow scrape must not block health checks.
    this.executor = Executors.newFixedThreadPool(2, r -> daemon(r, "trellis-admin"));
    http.setExecutor(executor);
    http.createContext("/", this::handle);
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /**
   * Starts serving on this address (port 0 picks a free port).
   *
   * @throws IOException if the address cannot be bound
   */
  public static AdminServer start(
      InetSocketAddress address,
      SnapshotPublisher publisher,
      Supplier<List<ProxyStatus>> proxies,
      PrometheusMeterRegistry registry,
      ReloadStatus reloads,
      AnalysisStatus analysis,
      Supplier<SortedMap<String, ProxySlis.Sli>> slis)
      throws IOException {
    AdminServer server =
        new AdminServer(
            HttpServer.create(address, 0), publisher, proxies, registry, reloads, analysis, slis);
    server.http.start();
    LOG.info("Admin API listening on {}", server.http.getAddress());
    return server;
  }

  /** Warnings shown in /readyz detail while they hold (e.g. keys withheld); empty: none. */
  public void notices(Supplier<String> notices) {
    this.notices = notices;
  }

  public int port() {
    return http.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!"GET".equals(exchange.getRequestMethod())) {
        send(exchange, 405, TEXT, "only GET is supported\n");
        return;
      }
      String path = exchange.getRequestURI().getPath();
      switch (path) {
        case "/healthz" -> send(exchange, 200, TEXT, "ok\n");
        case "/readyz" -> readyz(exchange);
        case "/metrics" -> {
          sliGauges.update(slis.get());
          send(exchange, 200, PROMETHEUS, registry.scrape());
        }
        case "/debug/slis" -> send(exchange, 200, JSON, json.write(json.slis(slis.get())));
        case "/debug/proxies" -> send(exchange, 200, JSON, json.write(json.proxies(proxies.get())));
        case "/debug/config_dump" -> configDump(exchange);
        case "/debug/errors" -> send(exchange, 200, JSON, json.write(json.errors(reloads)));
        case "/debug/findings" ->
            send(exchange, 200, JSON, json.write(json.findings(analysis.current())));
        default ->
            send(
                exchange,
                404,
                TEXT,
                "no such page: "
                    + path
                    + "\npages: /healthz /readyz /metrics /debug/proxies"
                    + " /debug/config_dump?group=NAME /debug/errors /debug/findings /debug/slis\n");
      }
    } catch (RuntimeException e) {
      LOG.error("Admin request {} failed", exchange.getRequestURI(), e);
      throw e;
    }
  }

  private void readyz(HttpExchange exchange) throws IOException {
    Optional<ReloadStatus.ReloadError> error = reloads.current();
    String detail =
        error
            .map(
                e ->
                    "last load of the definitions failed at "
                        + e.at()
                        + (publisher.firstPublishedAt().isPresent()
                            ? "; serving the last good config"
                            : "")
                        + ":\n"
                        + e.message()
                        + "\n")
            .orElse("");
    String notice = notices.get();
    if (!notice.isEmpty()) {
      detail = detail + "warning: " + notice + "\n";
    }
    if (publisher.firstPublishedAt().isPresent()) {
      send(exchange, 200, TEXT, "ready\n" + detail);
    } else {
      send(exchange, 503, TEXT, "not ready: no config published yet\n" + detail);
    }
  }

  private void configDump(HttpExchange exchange) throws IOException {
    Optional<String> group = queryParameter(exchange, "group");
    if (group.isEmpty()) {
      send(
          exchange,
          400,
          TEXT,
          "give a group: /debug/config_dump?group=NAME; published groups: "
              + publisher.groups().keySet()
              + "\n");
      return;
    }
    Optional<PublishedGroup> published = publisher.group(group.get());
    if (published.isEmpty()) {
      send(
          exchange,
          404,
          TEXT,
          "no published group '"
              + group.get()
              + "'; published groups: "
              + publisher.groups().keySet()
              + "\n");
      return;
    }
    send(exchange, 200, JSON, json.write(json.configDump(published.get())));
  }

  private static Optional<String> queryParameter(HttpExchange exchange, String name) {
    String query = exchange.getRequestURI().getRawQuery();
    if (query == null) {
      return Optional.empty();
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      if (key.equals(name) && eq >= 0) {
        return Optional.of(URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return Optional.empty();
  }

  private static void send(HttpExchange exchange, int status, String contentType, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** Stops serving (in-flight requests get a second to finish). */
  @Override
  public void close() {
    http.stop(1);
    executor.shutdownNow();
  }
}
