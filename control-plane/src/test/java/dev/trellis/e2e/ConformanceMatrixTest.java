package dev.trellis.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trellis.analyze.clients.Capabilities;
import dev.trellis.e2e.ConformanceClient.Kind;
import dev.trellis.e2e.ConformanceTable.Outcome;
import dev.trellis.mtls.CertificateAuthority;
import dev.trellis.mtls.PemFiles;
import dev.trellis.mtls.SpiffeId;
import dev.trellis.testing.Definitions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conformance matrix: {@code trellis serve} on a definitions directory with two proxyless gRPC
 * services (web calling greeter, as in the README), and the same scenarios run against grpc-java
 * (child JVM), grpc-node ({@code @grpc/grpc-js-xds}, from {@code src/test/clients}) and gRPC C-core
 * (Debian's python3-grpcio), each client its own process driven over stdin/stdout. The clients are
 * installed by {@code src/test/clients/install.sh}; a client that cannot be installed or started
 * gets "not run" rows with the reason. The observed table goes to {@code target/conformance.md}
 * (and, with {@code -Dtrellis.conformance.update=true}, into {@code docs/conformance.md}); the
 * cells every client must pass, and the agreement of every cell with the capability model, are
 * asserted at the end, after the table is written.
 */
class ConformanceMatrixTest {

  private static final String TARGET = "xds:///greeter";

  /** The trust domain {@link Definitions} writes into mesh.yaml. */
  private static final String TRUST_DOMAIN = "demo.example.org";

  private static final Duration CATCH_UP = Duration.ofSeconds(60);
  private static final Duration SETTLE = Duration.ofSeconds(20);
  private static final Path CLIENTS = Path.of("src/test/clients").toAbsolutePath();

  static final String REACH = "reach a backend";
  static final String IDENTIFIED = "named in /debug/proxies";
  static final String MOVE = "endpoint move, no failed RPC";
  static final String LAST_GOOD = "last good config on a broken edit";
  static final String NACK = "NACK, no resend loop";
  static final String RETRIES = "retries (attempts: 2, on unavailable)";
  static final String TIMEOUT = "timeout (1s, backend hangs)";
  static final String MTLS = "mTLS strict (works, plaintext refused)";
  static final String RBAC = "RBAC enforce (undeclared caller denied)";

  /** The balancing policies each client implements itself (its LB registry; see NOTES.md). */
  private static final Map<Kind, Set<String>> NATIVE =
      Map.of(
          Kind.GRPC_JAVA, Set.of("round_robin", "least_request", "ring_hash"),
          Kind.GRPC_NODE, Set.of("round_robin", "ring_hash"),
          Kind.C_CORE, Set.of("round_robin", "ring_hash"));

  /** The policies checked, in order (each differs from the one before); null: no {@code lb:}. */
  private static final List<String> POLICIES =
      java.util.Arrays.asList("round_robin", null, "random", "least_request", "ring_hash");

  private static final Map<Kind, String> notInstalled = new EnumMap<>(Kind.class);
  private static final ConformanceTable table =
      new ConformanceTable()
          .feature("lb: round_robin", "lb.round_robin")
          .feature("lb: default (no lb:)", "lb.least_request")
          .feature("lb: random", "lb.random")
          .feature("lb: least_request", "lb.least_request")
          .feature("lb: ring_hash", "lb.ring_hash")
          .feature(RETRIES, "retry_policy")
          .feature(TIMEOUT, "max_stream_duration")
          .feature(MTLS, "tls.certificate_provider")
          .feature(RBAC, "rbac");
  private static final Path DOC = Path.of("../docs/conformance.md");

  @TempDir static Path dir;

  private final ObjectMapper json = new ObjectMapper();
  private final Map<Kind, ConformanceClient> clients = new EnumMap<>(Kind.class);
  private final Map<Kind, Integer> restarts = new EnumMap<>(Kind.class);
  private final List<AutoCloseable> closing = new ArrayList<>();
  private ServeProcess serve;
  private String currentPolicy = "round_robin";
  private boolean hangReached;
  private long hangCallMillis;
  private Definitions defs;

  @BeforeAll
  static void install() throws Exception {
    Process install =
        new ProcessBuilder("sh", CLIENTS.resolve("install.sh").toString())
            .redirectErrorStream(true)
            .start();
    String output;
    if (!install.waitFor(10, TimeUnit.MINUTES)) {
      install.destroyForcibly();
      output = "node: failed install.sh timed out\nccore: failed install.sh timed out";
    } else {
      output = new String(install.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
    System.out.println("install.sh: " + output.trim().replace('\n', ';'));
    for (String line : output.split("\n")) {
      if (line.startsWith("node: failed")) {
        notInstalled.put(Kind.GRPC_NODE, line.substring("node: ".length()));
      } else if (line.startsWith("ccore: failed")) {
        notInstalled.put(Kind.C_CORE, line.substring("ccore: ".length()));
      }
    }
    if (!output.contains("node: ")) {
      notInstalled.put(Kind.GRPC_NODE, "install.sh said nothing: " + output);
    }
    if (!output.contains("ccore: ")) {
      notInstalled.put(Kind.C_CORE, "install.sh said nothing: " + output);
    }
  }

  @AfterAll
  static void writeTable() throws IOException {
    table.write(Path.of("target/conformance.md"));
    System.out.println("conformance matrix (target/conformance.md):\n" + table.markdown());
  }

  @Test
  void matrix() throws Exception {
    long start = System.nanoTime();
    try (EchoBackend a = new EchoBackend("backend-a");
        EchoBackend b = new EchoBackend("backend-b")) {
      Path defsDir = Files.createDirectories(dir.resolve("defs"));
      defs = new Definitions(defsDir, a.port());
      web("round_robin", "");
      greeter(List.of(a.port()));
      serve =
          ServeProcess.start(dir, Map.of(), "--defs", defsDir.toString(), "--debounce-ms", "100");
      try {
        serve.awaitBanner();
        await().atMost(CATCH_UP).until(() -> serve.admin("/readyz").statusCode() == 200);
        for (Kind kind : Kind.values()) {
          startClient(kind);
        }
        runScenarios(a, b);
      } finally {
        for (ConformanceClient c : clients.values()) {
          c.close();
        }
        for (AutoCloseable c : closing) {
          c.close();
        }
        serve.close();
      }
    } finally {
      System.out.printf(
          "conformance matrix took %d s%n",
          TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start));
      fillNotRun();
      table.write(Path.of("target/conformance.md"));
      if (Boolean.getBoolean("trellis.conformance.update")) {
        ConformanceDoc.replaceObserved(DOC, table.markdown());
      }
    }
    assertMustWork();
    assertAgreesWithTheModel();
  }

  /**
   * Every cell that ran and tests a feature shows what the capability model says of the client:
   * when a client changes, the model (and so lint) must change with it.
   */
  private void assertAgreesWithTheModel() {
    Capabilities model = Capabilities.standard();
    List<String> disagreements = new ArrayList<>();
    for (ConformanceTable.Row row : table.rows()) {
      if (row.outcome() == Outcome.NOT_RUN) {
        continue;
      }
      Kind kind = Kind.valueOf(kindName(row.client()));
      table
          .featureOf(row.scenario())
          .flatMap(f -> model.expectedOutcome(f, kind.client))
          .filter(expected -> !expected.equals(row.outcome().label))
          .ifPresent(
              expected ->
                  disagreements.add(
                      row.client()
                          + " / "
                          + row.scenario()
                          + ": model says "
                          + expected
                          + ", seen "
                          + row.outcome().label
                          + " ("
                          + row.detail()
                          + ")"));
    }
    assertThat(disagreements)
        .as("cells that disagree with capabilities.yaml; matrix:%n%s", table.markdown())
        .isEmpty();
  }

  private static String kindName(String label) {
    for (Kind k : Kind.values()) {
      if (k.label.equals(label)) {
        return k.name();
      }
    }
    throw new IllegalArgumentException("no client kind labelled " + label);
  }

  /** Every cell no client filled: "not run" with the reason (not installed, not started). */
  private static void fillNotRun() {
    List<String> scenarios = new ArrayList<>();
    table
        .rows()
        .forEach(
            r -> {
              if (!scenarios.contains(r.scenario())) {
                scenarios.add(r.scenario());
              }
            });
    for (String s : List.of(REACH, IDENTIFIED, MOVE, LAST_GOOD, "lb: round_robin", NACK)) {
      if (!scenarios.contains(s)) {
        scenarios.add(s);
      }
    }
    for (Kind kind : Kind.values()) {
      for (String scenario : scenarios) {
        if (table.get(kind.label, scenario).isEmpty()) {
          table.record(
              kind.label,
              scenario,
              Outcome.NOT_RUN,
              notInstalled.getOrDefault(
                  kind,
                  scenario.equals(NACK)
                      ? "this client rejected nothing served here (the publish gate holds back"
                          + " what capabilities.yaml says it rejects, TRL501); grpc-java's NACK"
                          + " without a resend is GrpcXdsClientE2eTest's"
                      : "the client was not running"));
        }
      }
    }
  }

  private void assertMustWork() {
    List<String> failures = new ArrayList<>();
    for (Kind kind : Kind.values()) {
      for (String scenario : List.of(REACH, IDENTIFIED, MOVE, LAST_GOOD, "lb: round_robin")) {
        var row = table.get(kind.label, scenario);
        if (row.isEmpty() || row.get().outcome() != Outcome.WORKS) {
          failures.add(
              kind.label + " / " + scenario + ": " + row.map(Object::toString).orElse("-"));
        }
      }
    }
    assertThat(failures).as("cells that must work; matrix:%n%s", table.markdown()).isEmpty();
  }

  private void runScenarios(EchoBackend a, EchoBackend b) throws Exception {
    // Reach a backend.
    for (ConformanceClient c : live()) {
      String answer = callUntil(c, "ok backend-a", CATCH_UP);
      record(c, REACH, answer.equals("ok backend-a") ? Outcome.WORKS : failure(answer), answer);
    }

    // Serve knows which client each proxy runs, by the capability model's user agents.
    for (ConformanceClient c : live()) {
      JsonNode client = proxy(c.nodeId).path("client");
      String seen =
          client.path("kind").asText()
              + " ("
              + client.path("name").asText()
              + " "
              + client.path("version").asText()
              + ")";
      record(
          c,
          IDENTIFIED,
          client.path("kind").asText().equals(c.kind.label) ? Outcome.WORKS : Outcome.FAILS,
          seen);
    }

    // Follow an endpoint move (the old backend stays up): no RPC may fail meanwhile.
    greeter(List.of(b.port()));
    for (ConformanceClient c : live()) {
      List<String> failed = new ArrayList<>();
      String answer = "";
      long until = System.nanoTime() + CATCH_UP.toNanos();
      while (!answer.equals("ok backend-b") && System.nanoTime() < until) {
        answer = c.call(TARGET);
        if (!answer.startsWith("ok ")) {
          failed.add(answer);
        }
      }
      if (answer.equals("ok backend-b") && failed.isEmpty()) {
        record(c, MOVE, Outcome.WORKS, "");
      } else {
        record(c, MOVE, failure(answer), failed.size() + " failed RPCs, last: " + answer);
      }
    }

    // A broken edit: serve keeps the last good config, the clients keep working.
    defs.write("services/greeter.yaml", "name: greeter\nowner: x\nprotocol: grpc\nport: 0\n");
    await()
        .atMost(CATCH_UP)
        .until(() -> serve.admin("/debug/errors").body().contains("services/greeter.yaml"));
    for (ConformanceClient c : live()) {
      String answer = c.call(TARGET);
      record(c, LAST_GOOD, answer.equals("ok backend-b") ? Outcome.WORKS : failure(answer), answer);
    }

    // Balancing policies over two backends.
    greeter(List.of(a.port(), b.port()));
    for (String policy : POLICIES) {
      balancing(policy, a, b);
      revive();
    }

    // Retries: the only backend fails every other call; two retries on UNAVAILABLE hide that.
    PolicyBackend flaky = new PolicyBackend("flaky", PolicyBackend.Behavior.FAIL_EVERY_OTHER_CALL);
    closing.add(flaky);
    applied("routes", () -> web("round_robin", "\n    retries: {attempts: 2, on: [unavailable]}"));
    applied("endpoints", () -> greeter(List.of(flaky.port())));
    for (ConformanceClient c : live()) {
      String answer = callUntilPrefix(c, "ok flaky", CATCH_UP);
      if (!answer.startsWith("ok flaky")) {
        record(c, RETRIES, failure(answer), answer);
        continue;
      }
      int failed = 0;
      String last = "";
      for (int i = 0; i < 10; i++) {
        String r = c.call(TARGET);
        if (!r.startsWith("ok ")) {
          failed++;
          last = r;
        }
      }
      record(
          c,
          RETRIES,
          failed == 0 ? Outcome.WORKS : Outcome.IGNORED,
          failed == 0 ? "10 of 10 RPCs ok" : failed + " of 10 RPCs failed, e.g. " + last);
    }

    revive();

    // Timeout: the only backend never answers; the route's 1 s timeout must end the call.
    PolicyBackend hang = new PolicyBackend("hang", PolicyBackend.Behavior.HANG);
    closing.add(hang);
    applied(
        "routes",
        () ->
            defs.write(
                "services/web.yaml",
                webYaml("round_robin", "").replace("timeout: 5s", "timeout: 1s")));
    applied("endpoints", () -> greeter(List.of(hang.port())));
    for (ConformanceClient c : live()) {
      String answer = awaitHangRoute(c, hang);
      long ms = hangCallMillis;
      String reached = hangReached ? "" : " (before reaching the backend)";
      if (answer.startsWith("err DEADLINE_EXCEEDED") && ms < 700) {
        record(
            c,
            TIMEOUT,
            Outcome.FAILS,
            "ended after " + ms + " ms, long before the route's 1 s" + reached + ": " + answer);
      } else if (answer.startsWith("err DEADLINE_EXCEEDED") && ms < 3000) {
        record(c, TIMEOUT, Outcome.WORKS, "ended after " + ms + " ms" + reached + ": " + answer);
      } else if (!hangReached) {
        record(c, TIMEOUT, failure(answer), "the call never reached the backend: " + answer);
      } else if (answer.startsWith("err DEADLINE_EXCEEDED")) {
        record(
            c, TIMEOUT, Outcome.IGNORED, "ended only after " + ms + " ms (route: 1 s): " + answer);
      } else if (answer.equals("timeout")) {
        record(c, TIMEOUT, Outcome.IGNORED, "no answer within 8 s");
        restart(c.kind);
      } else {
        record(c, TIMEOUT, failure(answer), answer);
      }
    }

    applied("routes", () -> web("round_robin", ""));
    mtlsAndRbac();
  }

  /**
   * greeter becomes a grpc-java xDS server, strict and enforcing, with a certificate of the mesh's
   * trust domain; per client kind three more processes with web's config: one with web's
   * certificate over xDS credentials (must be answered), one sending plaintext (must be refused),
   * one with an undeclared identity (must be denied by RBAC).
   */
  private void mtlsAndRbac() throws Exception {
    CertificateAuthority ca = CertificateAuthority.generate(TRUST_DOMAIN, Clock.systemUTC());
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    defs.write(
        "services/greeter.yaml",
        """
        name: greeter
        owner: team-greeter
        protocol: grpc
        port: %d
        proxyless: true
        mtls: strict
        authz: enforce
        endpoints:
          static: ["127.0.0.1:%d"]
        """
            .formatted(port, port));
    XdsClientProcess server =
        XdsClientProcess.start(
            dir,
            serve.xdsPort(),
            "greeter-1",
            "greeter",
            certificates(ca, "greeter", "greeter"),
            true,
            XdsServerMain.class,
            String.valueOf(port),
            "greeter");
    closing.add(server);
    String serving = server.nextLine();
    List<Kind> kinds = live().stream().map(c -> c.kind).toList();
    for (Kind kind : kinds) {
      ConformanceClient c = clients.get(kind);
      if (!"serving".equals(serving)) {
        record(c, MTLS, Outcome.NOT_RUN, "the grpc-java xDS server said: " + serving);
        record(c, RBAC, Outcome.NOT_RUN, "the grpc-java xDS server said: " + serving);
        continue;
      }
      String prefix = "web-" + kind.name().toLowerCase(java.util.Locale.ROOT);
      ConformanceClient mtls = secondary(kind, prefix + "-mtls", ca, "web", true);
      ConformanceClient plain = secondary(kind, prefix + "-plain", ca, "web", false);
      ConformanceClient intruder = secondary(kind, prefix + "-intruder", ca, "intruder", true);
      String ok = callUntil(mtls, "ok greeter", CATCH_UP);
      String refused = callUntilPrefix(plain, "err UNAVAILABLE", CATCH_UP);
      if (ok.equals("ok greeter") && refused.startsWith("err UNAVAILABLE")) {
        record(mtls, MTLS, Outcome.WORKS, "mTLS: " + ok + "; plaintext: " + refused);
      } else {
        record(mtls, MTLS, failure(ok), "mTLS: " + ok + "; plaintext: " + refused);
      }
      String denied = callUntilPrefix(intruder, "err PERMISSION_DENIED", CATCH_UP);
      record(
          intruder,
          RBAC,
          denied.startsWith("err PERMISSION_DENIED")
              ? Outcome.WORKS
              : denied.equals("ok greeter") ? Outcome.IGNORED : failure(denied),
          "undeclared identity: " + denied);
    }
  }

  /** One more client of this kind for the mTLS phase, with {@code service}'s certificate. */
  private ConformanceClient secondary(
      Kind kind, String node, CertificateAuthority ca, String service, boolean xdsCredentials)
      throws IOException {
    ConformanceClient c =
        ConformanceClient.start(
            kind,
            dir,
            CLIENTS,
            serve.xdsPort(),
            node,
            "web",
            certificates(ca, service, node),
            xdsCredentials);
    closing.add(c);
    return c;
  }

  private static Path certificates(CertificateAuthority ca, String service, String node)
      throws IOException {
    Path out = dir.resolve("certs").resolve(node);
    PemFiles.writeWorkload(ca.issue(SpiffeId.of(TRUST_DOMAIN, service), Duration.ofHours(1)), out);
    return out;
  }

  /**
   * Makes an edit and waits (bounded) until every live client has ACKed a new version of {@code
   * type}, so that a scenario's calls run on the config it set up, not on a mix of two publishes.
   */
  private void applied(String type, Runnable edit) {
    Map<String, String> before = new LinkedHashMap<>();
    for (ConformanceClient c : live()) {
      before.put(c.nodeId, type(c.nodeId, type).path("acked").asText());
    }
    edit.run();
    for (ConformanceClient c : live()) {
      try {
        await()
            .atMost(SETTLE)
            .until(
                () -> {
                  JsonNode t = type(c.nodeId, type);
                  String acked = t.path("acked").asText();
                  return !acked.equals(before.get(c.nodeId))
                      && acked.equals(t.path("sent").asText());
                });
      } catch (ConditionTimeoutException e) {
        // the scenario records what the client then does
      }
    }
  }

  /**
   * Sends calls without a deadline of their own once the hanging backend is the route's target;
   * returns the answer of the first one that reached it or ended by a deadline, which only the
   * route can have set (awaited at most 8 s), its duration in {@link #hangCallMillis}.
   */
  private String awaitHangRoute(ConformanceClient c, PolicyBackend hang) {
    hangReached = false;
    long until = System.nanoTime() + CATCH_UP.toNanos();
    String answer = "timeout";
    while (System.nanoTime() < until) {
      int before = hang.calls.get();
      long t0 = System.nanoTime();
      answer = c.call(TARGET, Duration.ZERO, Duration.ofSeconds(8));
      hangCallMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      if (hang.calls.get() > before) {
        hangReached = true;
        return answer;
      }
      if (answer.equals("timeout")
          || answer.startsWith("dead")
          || answer.startsWith("err DEADLINE_EXCEEDED")) {
        return answer;
      }
    }
    return answer;
  }

  private void balancing(String policy, EchoBackend a, EchoBackend b) throws Exception {
    String scenario = policy == null ? "lb: default (no lb:)" : "lb: " + policy;
    Map<String, String> before = new LinkedHashMap<>();
    for (ConformanceClient c : live()) {
      before.put(c.nodeId, clusters(c.nodeId).path("sent").asText());
    }
    boolean same = java.util.Objects.equals(policy, currentPolicy);
    currentPolicy = policy;
    web(policy, "");
    for (ConformanceClient c : live()) {
      JsonNode state;
      try {
        await()
            .atMost(SETTLE)
            .until(
                () -> {
                  JsonNode s = clusters(c.nodeId);
                  String sent = s.path("sent").asText();
                  return (same || !sent.equals(before.get(c.nodeId)))
                      && (sent.equals(s.path("acked").asText())
                          || sent.equals(s.at("/last_nack/version").asText()));
                });
        state = clusters(c.nodeId);
      } catch (ConditionTimeoutException e) {
        record(
            c,
            scenario,
            Outcome.NOT_RUN,
            "no new cluster version answered within " + SETTLE.toSeconds() + " s");
        System.out.println("/debug/errors: " + serve.admin("/debug/errors").body());
        continue;
      }
      String sent = state.path("sent").asText();
      if (sent.equals(state.at("/last_nack/version").asText())) {
        String detail = state.at("/last_nack/error_detail").asText();
        nackLoop(c, state);
        if (!c.alive()) {
          record(
              c,
              scenario,
              Outcome.CRASHES,
              "died on this config" + (detail.isEmpty() ? "" : " after NACKing: " + detail));
          restart(c.kind);
        } else {
          record(c, scenario, Outcome.REJECTED, detail);
        }
        continue;
      }
      Map<String, Integer> seen = new TreeMap<>();
      String problem = null;
      for (int i = 0; i < 20 && problem == null; i++) {
        String answer = c.call(TARGET);
        if (answer.startsWith("ok ")) {
          seen.merge(answer.substring(3), 1, Integer::sum);
        } else {
          problem = answer;
        }
      }
      if (problem == null && !c.alive()) {
        problem = "dead";
      }
      if (problem != null) {
        record(c, scenario, failure(problem), "ACKed, then " + problem + "; before: " + seen);
        if (!c.alive()) {
          restart(c.kind);
        }
        continue;
      }
      String spread = "ACKed; 20 RPCs: " + seen;
      boolean both = seen.size() == 2;
      String name = policy == null ? "least_request" : policy;
      if (!NATIVE.get(c.kind).contains(name)) {
        record(c, scenario, Outcome.FALLS_BACK, spread + " (the client has no " + name + ")");
      } else if (both || name.equals("ring_hash")) {
        record(c, scenario, Outcome.WORKS, spread);
      } else {
        record(c, scenario, Outcome.IGNORED, spread + " (one backend only)");
      }
    }
  }

  /** After a NACK: the rejected version is not sent again (no responses, no more NACKs). */
  private void nackLoop(ConformanceClient c, JsonNode state) {
    if (table.get(c.kind.label, NACK).isPresent()) {
      return;
    }
    long pushes = state.path("pushes").asLong();
    long nacks = state.path("nacks").asLong();
    try {
      await()
          .during(Duration.ofSeconds(2))
          .atMost(Duration.ofSeconds(4))
          .until(
              () -> {
                JsonNode s = clusters(c.nodeId);
                return s.path("pushes").asLong() == pushes && s.path("nacks").asLong() == nacks;
              });
      String answer = c.call(TARGET);
      record(
          c,
          NACK,
          answer.startsWith("ok ") ? Outcome.WORKS : failure(answer),
          "no resend in 2 s after the NACK (pushes "
              + pushes
              + ", nacks "
              + nacks
              + "); "
              + answer);
    } catch (ConditionTimeoutException e) {
      JsonNode s = clusters(c.nodeId);
      record(
          c,
          NACK,
          Outcome.FAILS,
          "resent: pushes " + pushes + " → " + s.path("pushes") + ", nacks " + s.path("nacks"));
    }
  }

  /** The clusters entry of this node in /debug/proxies (its newest stream), or an empty node. */
  private JsonNode clusters(String nodeId) {
    return type(nodeId, "clusters");
  }

  /** This type's entry of the node in /debug/proxies (its newest stream), or an empty node. */
  private JsonNode type(String nodeId, String type) {
    return proxy(nodeId).path("types").path(type);
  }

  /** The node's entry in /debug/proxies (its newest stream), or an empty node. */
  private JsonNode proxy(String nodeId) {
    try {
      JsonNode found = json.createObjectNode();
      for (JsonNode p : json.readTree(serve.admin("/debug/proxies").body()).path("proxies")) {
        if (p.path("node").asText().equals(nodeId)) {
          found = p;
        }
      }
      return found;
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private void startClient(Kind kind) {
    if (notInstalled.containsKey(kind)) {
      return;
    }
    int n = restarts.merge(kind, 1, Integer::sum);
    String node = "web-" + kind.name().toLowerCase(java.util.Locale.ROOT) + "-" + n;
    try {
      clients.put(kind, ConformanceClient.start(kind, dir, CLIENTS, serve.xdsPort(), node, "web"));
    } catch (IOException e) {
      notInstalled.put(kind, "did not start: " + e.getMessage());
    }
  }

  /** Restarts the clients that died (their crash is recorded by the scenario that saw it). */
  private void revive() throws InterruptedException {
    for (Kind kind : List.copyOf(clients.keySet())) {
      if (!clients.get(kind).alive()) {
        restart(kind);
      }
    }
  }

  /** Closes (kills) the client and starts a new one of the kind for the scenarios left. */
  private void restart(Kind kind) throws InterruptedException {
    ConformanceClient old = clients.remove(kind);
    if (old != null) {
      old.close();
    }
    startClient(kind);
    ConformanceClient c = clients.get(kind);
    if (c != null) {
      callUntilPrefix(c, "ok ", CATCH_UP);
    }
  }

  /** The clients running; the others get a "not run" row for the scenario at hand by the caller. */
  private List<ConformanceClient> live() {
    return clients.values().stream().collect(Collectors.toList());
  }

  private void record(ConformanceClient c, String scenario, Outcome outcome, String detail) {
    String text = detail;
    if (outcome == Outcome.CRASHES) {
      text += "; stderr: " + c.stderr().lines().reduce((x, y) -> y).orElse("");
    }
    table.record(c.kind.label, scenario, outcome, text);
  }

  /** The outcome an unexpected answer stands for. */
  private static Outcome failure(String answer) {
    if (answer.startsWith("dead")) {
      return Outcome.CRASHES;
    }
    String lower = answer.toLowerCase(java.util.Locale.ROOT);
    if (lower.contains("validation")
        || lower.contains("not supported")
        || lower.contains("unsupported")
        || lower.contains("errors validating")) {
      return Outcome.REJECTED;
    }
    return Outcome.FAILS;
  }

  private static String callUntil(ConformanceClient c, String expected, Duration within) {
    return callUntil(c, expected::equals, within);
  }

  private static String callUntilPrefix(ConformanceClient c, String prefix, Duration within) {
    return callUntil(c, answer -> answer.startsWith(prefix), within);
  }

  /** Calls until an answer is {@code wanted}, the client dies, or {@code within} is over. */
  private static String callUntil(ConformanceClient c, Predicate<String> wanted, Duration within) {
    long until = System.nanoTime() + within.toNanos();
    String answer = c.call(TARGET);
    while (!wanted.test(answer) && !answer.startsWith("dead") && System.nanoTime() < until) {
      answer = c.call(TARGET);
    }
    return answer;
  }

  private void web(String lb, String extra) {
    defs.write("services/web.yaml", webYaml(lb, extra));
  }

  private static String webYaml(String lb, String extra) {
    return """
        name: web
        owner: team-web
        protocol: grpc
        port: 8080
        proxyless: true
        dependencies:
          - name: greeter
            timeout: 5s%s%s
        """
        .formatted(lb == null ? "" : "\n    lb: " + lb, extra);
  }

  private void greeter(List<Integer> ports) {
    defs.write(
        "services/greeter.yaml",
        """
        name: greeter
        owner: team-greeter
        protocol: grpc
        port: 50051
        proxyless: true
        endpoints:
          static: [%s]
        """
            .formatted(
                ports.stream()
                    .map(p -> "\"127.0.0.1:" + p + "\"")
                    .collect(Collectors.joining(", "))));
  }
}
