package dev.trellis.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.trellis.analyze.clients.Capabilities;
import dev.trellis.analyze.report.JsonReporter;
import dev.trellis.model.XdsClient;
import dev.trellis.publish.PublishedGroup;
import dev.trellis.render.EnvoyTypes;
import dev.trellis.render.Redaction;
import dev.trellis.render.RenderedResource;
import dev.trellis.render.ResourceType;
import dev.trellis.sli.ProxySlis;
import dev.trellis.stream.Nack;
import dev.trellis.stream.ProxyStatus;
import dev.trellis.stream.TypeStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/** The admin API's JSON documents, with Envoy-style snake_case field names. */
final class AdminJson {

  /** Longer than any node id or group name a real proxy uses. */
  static final int MAX_CLIENT_TEXT = 1024;

  private final ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** The renderer's registry: every typed config a template can produce is in it. */
  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().preservingProtoFieldNames().usingTypeRegistry(EnvoyTypes.registry());

  String write(ObjectNode node) {
    try {
      return mapper.writeValueAsString(node) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a JSON tree", e);
    }
  }

  ObjectNode object() {
    return mapper.createObjectNode();
  }

  /** Each group's indicators over the window; latencies in milliseconds, absent without data. */
  ObjectNode slis(SortedMap<String, ProxySlis.Sli> slis) {
    ObjectNode root = mapper.createObjectNode();
    ObjectNode groups = root.putObject("groups");
    slis.forEach(
        (group, sli) -> {
          ObjectNode g = groups.putObject(group);
          g.put("proxies", sli.proxies());
          g.put("requests", sli.requests());
          g.put("errors_5xx", sli.errors());
          g.put("requests_per_second", sli.requestsPerSecond());
          sli.availability().ifPresent(a -> g.put("availability", a));
          sli.p50Millis().ifPresent(v -> g.put("latency_p50_ms", v));
          sli.p99Millis().ifPresent(v -> g.put("latency_p99_ms", v));
        });
    return root;
  }

  /**
   * The last analysis (as {@code trellis lint --format json} prints it) and the held-back groups.
   */
  ObjectNode findings(AnalysisStatus.Snapshot status) {
    ObjectNode root;
    try {
      root = (ObjectNode) mapper.readTree(new JsonReporter().render(status.result()));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("the JSON reporter wrote invalid JSON", e);
    }
    ObjectNode blocked = root.putObject("blocked_groups");
    status
        .blocked()
        .forEach(
            (group, findings) -> {
              ArrayNode list = blocked.putArray(group);
              findings.forEach(
                  f -> list.add(f.location() + ": " + f.ruleId() + ": " + f.message()));
            });
    return root;
  }

  /** Every connected stream; streams whose group is not published are also listed as unknown. */
  ObjectNode proxies(List<ProxyStatus> proxies) {
    ObjectNode root = mapper.createObjectNode();
    ArrayNode all = root.putArray("proxies");
    ArrayNode unknown = root.putArray("unknown");
    for (ProxyStatus p : proxies) {
      ObjectNode proxy = all.addObject();
      proxy.put("node", clientText(p.nodeId()));
      proxy.put("group", clientText(p.group()));
      proxy.put("known_group", p.knownGroup());
      proxy.put("stream", p.streamId());
      proxy.put("protocol", p.delta() ? "delta" : "sotw");
      client(proxy.putObject("client"), p.client());
      proxy.put("connected_at", time(p.connectedAt()));
      ObjectNode typesNode = proxy.putObject("types");
      p.types().entrySet().stream()
          .sorted(Map.Entry.comparingByKey())
          .forEach(e -> type(typesNode.putObject(e.getKey()), e.getValue()));
      if (!p.knownGroup()) {
        unknown.addObject().put("node", clientText(p.nodeId())).put("group", clientText(p.group()));
      }
    }
    return root;
  }

  /**
   * The node's client as it names itself, and as the capability model knows it: {@code kind} is one
   * of its clients (e.g. {@code grpc-node}) or {@code unknown}, {@code release} the gRPC release
   * read from the version when it names one.
   */
  private static void client(ObjectNode node, ProxyStatus.Client c) {
    node.put("name", clientText(c.name()));
    node.put("version", clientText(c.version()));
    node.put(
        "kind", Capabilities.standard().identify(c.name()).map(XdsClient::label).orElse("unknown"));
    Capabilities.release(c.version()).ifPresent(r -> node.put("release", r));
    ArrayNode features = node.putArray("features");
    c.features().forEach(f -> features.add(clientText(f)));
  }

  /**
   * A value a client chose (node id, group, user agent), cut beyond {@value #MAX_CLIENT_TEXT}
   * characters: a few streams with megabyte ids must not make the page megabytes.
   */
  static String clientText(String text) {
    if (text == null || text.length() <= MAX_CLIENT_TEXT) {
      return text;
    }
    return text.substring(0, MAX_CLIENT_TEXT)
        + "... ("
        + (text.length() - MAX_CLIENT_TEXT)
        + " more characters)";
  }

  private static void type(ObjectNode node, TypeStatus t) {
    node.put("sent", t.sentVersion());
    node.put("sent_at", time(t.sentAt()));
    node.put("pushes", t.pushes());
    node.put("acked", t.ackedVersion());
    node.put("acked_at", time(t.ackedAt()));
    node.put("acks", t.acks());
    node.put("nacks", t.nacks());
    Nack nack = t.lastNack();
    if (nack == null) {
      node.putNull("last_nack");
    } else {
      node.putObject("last_nack")
          .put("version", nack.version())
          .put("error_detail", nack.errorDetail())
          .put("at", time(nack.at()));
    }
  }

  /**
   * One group's rendered resources, each as Envoy would dump it: typed configs expanded, sensitive
   * fields (keys, passwords) redacted.
   */
  ObjectNode configDump(PublishedGroup published) {
    ObjectNode root = mapper.createObjectNode();
    root.put("group", published.rendered().group().id());
    root.put("kind", published.rendered().group().kind().name().toLowerCase(java.util.Locale.ROOT));
    root.put("published_at", time(published.publishedAt()));
    ObjectNode versions = root.putObject("versions");
    for (ResourceType type : ResourceType.values()) {
      versions.put(type.plural(), published.snapshot().typeVersion(type));
    }
    ArrayNode list = root.putArray("resources");
    for (RenderedResource r : published.rendered().resources()) {
      ObjectNode node = list.addObject();
      node.put("type", r.type().plural());
      node.put("name", r.name());
      node.put("version", published.snapshot().resourceVersion(r.type(), r.name()));
      ObjectNode origin = node.putObject("origin");
      origin.put("template", r.origin().template());
      origin.put("template_line", r.origin().templateLine());
      origin.put(
          "definition",
          r.origin().definition() == null ? null : r.origin().definition().toString());
      try {
        node.set("config", mapper.readTree(PRINTER.print(Any.pack(Redaction.redact(r.proto())))));
      } catch (InvalidProtocolBufferException | JsonProcessingException e) {
        node.put("config_error", e.getMessage());
      }
    }
    return root;
  }

  ObjectNode errors(ReloadStatus reloads) {
    ObjectNode root = mapper.createObjectNode();
    reloads
        .current()
        .ifPresentOrElse(
            e ->
                root.putObject("current")
                    .put("at", time(e.at()))
                    .put("reason", e.reason().label())
                    .put("message", e.message()),
            () -> root.putNull("current"));
    root.put("last_success", reloads.lastSuccess().map(AdminJson::time).orElse(null));
    ArrayNode history = root.putArray("history");
    for (ReloadStatus.ReloadError e : reloads.history()) {
      history
          .addObject()
          .put("at", time(e.at()))
          .put("reason", e.reason().label())
          .put("message", e.message());
    }
    return root;
  }

  private static String time(Instant t) {
    return t == null ? null : t.toString();
  }
}
