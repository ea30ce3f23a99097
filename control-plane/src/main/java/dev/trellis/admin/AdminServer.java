package dev.trellis.admin;

import dev.trellis.publish.PublishedGroup;
import dev.trellis.publish.SnapshotPublisher;
import dev.trellis.sli.ProxySlis;
import dev.trellis.stream.ProxyStatus;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.WriteTimeoutHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP API: {@code /healthz}, {@code /readyz} (ready once a config is published), {@code
 * /metrics} (Prometheus text), {@code /debug/proxies}, {@code /debug/config_dump?group=}, {@code
 * /debug/errors}, {@code /debug/findings}.
 *
 * <p>Served with Netty so that a connection costs no thread: a client that never finishes its
 * request holds a socket, not a worker, and is closed at {@link Limits#requestTimeout}. Health and
 * readiness are answered on the I/O thread; the other pages are computed by a few workers, so a
 * slow scrape or dump never delays a probe. One request per connection ({@code Connection: close}).
 */
public final class AdminServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
  private static final String JSON = "application/json; charset=utf-8";
  private static final String TEXT = "text/plain; charset=utf-8";
  private static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";

  /** Request line and headers: a browser or Prometheus sends well under 1 KiB. */
  static final int MAX_REQUEST_LINE = 4096;

  static final int MAX_HEADER_BYTES = 8192;

  /** Every page is a GET: a body is never needed. */
  static final int MAX_BODY_BYTES = 8192;

  /**
   * What the server allows each client.
   *
   * @param requestTimeout a connection must have sent its whole request by then (a read and header
   *     timeout in one), or it is closed
   * @param writeTimeout a response write that does not complete by then closes the connection
   * @param maxConnections connections open at once; more are closed at once (file descriptors are
   *     shared with the xDS server)
   * @param workers threads computing pages other than /healthz and /readyz
   * @param maxResponseBytes a page larger than this is answered 503 instead
   */
  public record Limits(
      Duration requestTimeout,
      Duration writeTimeout,
      int maxConnections,
      int workers,
      int maxResponseBytes) {

    /**
     * 10 s for a request (ten times Kubernetes' default probe timeout), 30 s to write a response,
     * 512 connections (half the usual 1,024 file descriptors), 4 workers, 64 MiB pages.
     */
    public static final Limits DEFAULT =
        new Limits(Duration.ofSeconds(10), Duration.ofSeconds(30), 512, 4, 64 << 20);

    public Limits {
      Objects.requireNonNull(requestTimeout, "requestTimeout");
      Objects.requireNonNull(writeTimeout, "writeTimeout");
      if (maxConnections < 1 || workers < 1 || maxResponseBytes < 1) {
        throw new IllegalArgumentException(
            "admin limits must be positive: "
                + maxConnections
                + " connections, "
                + workers
                + " workers, "
                + maxResponseBytes
                + " response bytes");
      }
    }
  }

  private record Page(HttpResponseStatus status, String contentType, String body) {
    static Page text(HttpResponseStatus status, String body) {
      return new Page(status, TEXT, body);
    }
  }

  private final Limits limits;
  private final EventLoopGroup io;
  private final ThreadPoolExecutor workers;
  private final AtomicInteger open = new AtomicInteger();
  private final SnapshotPublisher publisher;
  private final Supplier<List<ProxyStatus>> proxies;
  private final PrometheusMeterRegistry registry;
  private final ReloadStatus reloads;
  private final AnalysisStatus analysis;
  private final Supplier<SortedMap<String, ProxySlis.Sli>> slis;
  private final SliGauges sliGauges;
  private final AdminJson json = new AdminJson();
  private Channel channel;
  private volatile Supplier<String> notices = () -> "";

  private AdminServer(
      Limits limits,
      SnapshotPublisher publisher,
      Supplier<List<ProxyStatus>> proxies,
      PrometheusMeterRegistry registry,
      ReloadStatus reloads,
      AnalysisStatus analysis,
      Supplier<SortedMap<String, ProxySlis.Sli>> slis) {
    this.limits = limits;
    this.slis = slis;
    this.sliGauges = new SliGauges(registry);
    this.publisher = publisher;
    this.proxies = proxies;
    this.registry = registry;
    this.reloads = reloads;
    this.analysis = analysis;
    // One I/O thread: it only parses requests and writes bytes; pages are the workers' job.
    this.io =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("trellis-admin-io", true), NioIoHandler.newFactory());
    this.workers =
        new ThreadPoolExecutor(
            limits.workers(),
            limits.workers(),
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(64),
            new DefaultThreadFactory("trellis-admin", true));
  }

  /**
   * Starts serving on this address (port 0 picks a free port) with {@link Limits#DEFAULT}.
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
    return start(address, publisher, proxies, registry, reloads, analysis, slis, Limits.DEFAULT);
  }

  /**
   * Starts serving on this address (port 0 picks a free port) within these limits.
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
      Supplier<SortedMap<String, ProxySlis.Sli>> slis,
      Limits limits)
      throws IOException {
    AdminServer server =
        new AdminServer(limits, publisher, proxies, registry, reloads, analysis, slis);
    server.bind(address);
    LOG.info("Admin API listening on {}", server.channel.localAddress());
    return server;
  }

  private void bind(InetSocketAddress address) throws IOException {
    Pages pages = new Pages();
    ChannelFuture bound =
        new ServerBootstrap()
            .group(io)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.closeFuture().addListener(f -> open.decrementAndGet());
                    if (open.incrementAndGet() > limits.maxConnections()) {
                      ch.close();
                      return;
                    }
                    ch.pipeline()
                        .addLast(
                            new WriteTimeoutHandler(
                                limits.writeTimeout().toMillis(), TimeUnit.MILLISECONDS))
                        .addLast(
                            new HttpServerCodec(MAX_REQUEST_LINE, MAX_HEADER_BYTES, MAX_BODY_BYTES))
                        .addLast(new RequestDeadline(limits.requestTimeout()))
                        .addLast(new HttpObjectAggregator(MAX_BODY_BYTES))
                        .addLast(pages);
                  }
                })
            .bind(address)
            .awaitUninterruptibly();
    if (!bound.isSuccess()) {
      close();
      Throwable cause = bound.cause();
      throw cause instanceof IOException e
          ? e
          : new IOException("cannot listen on " + address + ": " + cause.getMessage(), cause);
    }
    channel = bound.channel();
  }

  /** Warnings shown in /readyz detail while they hold (e.g. keys withheld); empty: none. */
  public void notices(Supplier<String> notices) {
    this.notices = notices;
  }

  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  /**
   * Closes a connection whose request is not complete within the timeout, however slowly its bytes
   * trickle in. Netty's ReadTimeoutHandler only sees gaps between reads: measured here, with it at
   * 1 s first in the pipeline, a client sending a byte every 100 ms was still connected after 10 s;
   * with this handler it is closed at 1 s (AdminServerTest).
   */
  private static final class RequestDeadline extends ChannelDuplexHandler {
    private final Duration timeout;
    private ScheduledFuture<?> timer;

    RequestDeadline(Duration timeout) {
      this.timeout = timeout;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      timer =
          ctx.executor()
              .schedule(
                  () -> {
                    LOG.debug(
                        "Admin client {} sent no whole request in {}", ctx.channel(), timeout);
                    ctx.close();
                  },
                  timeout.toMillis(),
                  TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof LastHttpContent) {
        timer.cancel(false);
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
      timer.cancel(false);
    }
  }

  /** Routes each request to its page; shared by every connection. */
  @ChannelHandler.Sharable
  private final class Pages extends SimpleChannelInboundHandler<FullHttpRequest> {

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      if (request.decoderResult().isFailure()) {
        Throwable cause = request.decoderResult().cause();
        respond(
            ctx,
            Page.text(
                cause instanceof TooLongHttpHeaderException
                    ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                    : cause instanceof TooLongHttpLineException
                        ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                        : HttpResponseStatus.BAD_REQUEST,
                "bad request: " + cause.getMessage() + "\n"));
        return;
      }
      if (!HttpMethod.GET.equals(request.method())) {
        respond(ctx, Page.text(HttpResponseStatus.METHOD_NOT_ALLOWED, "only GET is supported\n"));
        return;
      }
      QueryStringDecoder uri = new QueryStringDecoder(request.uri());
      String path = uri.path();
      // Probes never wait behind a page: they are answered here, on the I/O thread.
      switch (path) {
        case "/healthz" -> respond(ctx, Page.text(HttpResponseStatus.OK, "ok\n"));
        case "/readyz" -> respond(ctx, readyz());
        default -> {
          try {
            workers.execute(() -> respond(ctx, page(path, uri)));
          } catch (RejectedExecutionException e) {
            respond(
                ctx,
                Page.text(
                    HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "the admin API is busy with other pages; try again\n"));
          }
        }
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (cause instanceof TooLongFrameException) {
        respond(ctx, Page.text(HttpResponseStatus.BAD_REQUEST, cause.getMessage() + "\n"));
        return;
      }
      LOG.debug("Admin connection {} failed", ctx.channel(), cause);
      ctx.close();
    }
  }

  private Page page(String path, QueryStringDecoder uri) {
    try {
      return switch (path) {
        case "/metrics" -> {
          sliGauges.update(slis.get());
          yield new Page(HttpResponseStatus.OK, PROMETHEUS, registry.scrape());
        }
        case "/debug/slis" ->
            new Page(HttpResponseStatus.OK, JSON, json.write(json.slis(slis.get())));
        case "/debug/proxies" ->
            new Page(HttpResponseStatus.OK, JSON, json.write(json.proxies(proxies.get())));
        case "/debug/config_dump" -> configDump(uri);
        case "/debug/errors" ->
            new Page(HttpResponseStatus.OK, JSON, json.write(json.errors(reloads)));
        case "/debug/findings" ->
            new Page(HttpResponseStatus.OK, JSON, json.write(json.findings(analysis.current())));
        default ->
            Page.text(
                HttpResponseStatus.NOT_FOUND,
                "no such page: "
                    + path
                    + "\npages: /healthz /readyz /metrics /debug/proxies"
                    + " /debug/config_dump?group=NAME /debug/errors /debug/findings /debug/slis\n");
      };
    } catch (RuntimeException e) {
      LOG.error("Admin request {} failed", uri.uri(), e);
      return Page.text(
          HttpResponseStatus.INTERNAL_SERVER_ERROR, "admin page " + path + " failed: " + e + "\n");
    }
  }

  private Page readyz() {
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
      return Page.text(HttpResponseStatus.OK, "ready\n" + detail);
    }
    return Page.text(
        HttpResponseStatus.SERVICE_UNAVAILABLE, "not ready: no config published yet\n" + detail);
  }

  private Page configDump(QueryStringDecoder uri) {
    List<String> groups = uri.parameters().get("group");
    if (groups == null || groups.isEmpty()) {
      return Page.text(
          HttpResponseStatus.BAD_REQUEST,
          "give a group: /debug/config_dump?group=NAME; published groups: "
              + publisher.groups().keySet()
              + "\n");
    }
    String group = groups.get(0);
    Optional<PublishedGroup> published = publisher.group(group);
    if (published.isEmpty()) {
      return Page.text(
          HttpResponseStatus.NOT_FOUND,
          "no published group '"
              + group
              + "'; published groups: "
              + publisher.groups().keySet()
              + "\n");
    }
    return new Page(HttpResponseStatus.OK, JSON, json.write(json.configDump(published.get())));
  }

  /** Writes the page and closes the connection; safe from any thread. */
  private void respond(ChannelHandlerContext ctx, Page page) {
    byte[] body = page.body().getBytes(StandardCharsets.UTF_8);
    HttpResponseStatus status = page.status();
    String type = page.contentType();
    if (body.length > limits.maxResponseBytes()) {
      LOG.warn(
          "Admin page of {} bytes withheld: over the limit of {} bytes",
          body.length,
          limits.maxResponseBytes());
      body =
          ("the page is "
                  + body.length
                  + " bytes, over the admin API's limit of "
                  + limits.maxResponseBytes()
                  + " bytes\n")
              .getBytes(StandardCharsets.UTF_8);
      status = HttpResponseStatus.SERVICE_UNAVAILABLE;
      type = TEXT;
    }
    FullHttpResponse response =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
    response
        .headers()
        .set(HttpHeaderNames.CONTENT_TYPE, type)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }

  /** Connections open now (tests). */
  int openConnections() {
    return open.get();
  }

  /** Stops serving (in-flight requests get a second to finish). */
  @Override
  public void close() {
    if (channel != null) {
      channel.close().awaitUninterruptibly();
    }
    io.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    workers.shutdownNow();
  }
}
