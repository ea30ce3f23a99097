package dev.trellis.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.trellis.admin.ReloadStatus;
import dev.trellis.publish.GroupSnapshot;
import dev.trellis.publish.PublishResult;
import dev.trellis.publish.PublishedGroup;
import dev.trellis.render.DiscoveredEndpoints;
import dev.trellis.render.RenderLimits;
import dev.trellis.render.ResourceType;
import dev.trellis.testing.Definitions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real pipeline on a definitions directory: load, render, analyze, publish, watch. */
class DefinitionsReloaderTest {

  @TempDir Path dir;

  private final ControlPlane cp;

  DefinitionsReloaderTest() throws IOException {
    InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    cp = ControlPlane.start(new ControlPlane.Options(loopback, loopback, Duration.ZERO));
  }

  @AfterEach
  void close() {
    cp.close();
  }

  private GroupSnapshot web() {
    return cp.publisher().group("grpc:web").orElseThrow().snapshot();
  }

  @Test
  void publishesTheRenderedDefinitions() {
    Definitions defs = new Definitions(dir, 7001);
    try (DefinitionsReloader reloader = new DefinitionsReloader(defs.root(), cp)) {
      PublishResult result = reloader.reload().orElseThrow();

      assertThat(result.updated()).extracting(u -> u.group()).contains("grpc:web");
      assertThat(
              cp.publisher().group("grpc:web").orElseThrow().rendered().of(ResourceType.LISTENER))
          .extracting(r -> r.name())
          .containsExactly("greeter");
      assertThat(cp.reloads().current()).isEmpty();

      // Reading the same files again changes nothing.
      PublishResult again = reloader.reload().orElseThrow();
      assertThat(again.updated()).isEmpty();
    }
  }

  @Test
  void invalidDefinitionsKeepTheLastGoodConfigUntilFixed() throws IOException {
    Definitions defs = new Definitions(dir, 7001);
    try (DefinitionsReloader reloader = new DefinitionsReloader(defs.root(), cp)) {
      reloader.reload().orElseThrow();
      GroupSnapshot good = web();
      reloader.watch(Duration.ofMillis(50));

      defs.write("services/greeter.yaml", "name: greeter\nowner: x\nprotocol: grpc\nport: lots\n");

      await().atMost(Duration.ofSeconds(10)).until(() -> cp.reloads().current().isPresent());
      assertThat(cp.reloads().current().get().message())
          .startsWith("services/greeter.yaml:4:7: ")
          .doesNotContain("Exception");
      assertThat(web()).isSameAs(good);

      defs.greeter(7002);

      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> cp.reloads().current().isEmpty() && web() != good);
      Map<ResourceType, String> before = good.typeVersions();
      Map<ResourceType, String> after = web().typeVersions();
      assertThat(after.get(ResourceType.ENDPOINT)).isNotEqualTo(before.get(ResourceType.ENDPOINT));
      assertThat(after.get(ResourceType.LISTENER)).isEqualTo(before.get(ResourceType.LISTENER));
      assertThat(after.get(ResourceType.CLUSTER)).isEqualTo(before.get(ResourceType.CLUSTER));
    }
  }

  @Test
  void aReloadRendersAgainOnlyWhatChangedAndCountsIt() {
    Definitions defs = new Definitions(dir, 7001);
    try (DefinitionsReloader reloader = new DefinitionsReloader(defs.root(), cp)) {
      reloader.reload().orElseThrow();
      assertThat(groups("rendered")).isEqualTo(2);
      PublishedGroup web = cp.publisher().group("grpc:web").orElseThrow();

      reloader.reload().orElseThrow();

      assertThat(groups("rendered")).isEqualTo(2);
      assertThat(groups("reused")).isEqualTo(2);
      // The publisher did not even hash it again: the served group is the same object.
      assertThat(cp.publisher().group("grpc:web").orElseThrow()).isSameAs(web);

      defs.greeter(7002);
      reloader.reload().orElseThrow();

      // Only web's endpoints (its ClusterLoadAssignment of greeter) were rendered again.
      assertThat(groups("rendered")).isEqualTo(2);
      assertThat(groups("endpoints")).isEqualTo(1);
      assertThat(groups("reused")).isEqualTo(3);
      assertThat(cp.registry().get("trellis.reload.groups.analyzed").counter().count())
          .isEqualTo(3);
      assertThat(cp.registry().scrape()).contains("trellis_reload_groups_total");
    }
  }

  /** 10^9 loop iterations: hours without a render budget. */
  private static final String THREE_NESTED_RANGES =
      "{% for i in range(1000) %}{% for j in range(1000) %}{% for k in range(1000) %}"
          + "{% endfor %}{% endfor %}{% endfor %}[]\n";

  @Test
  void aTemplateOverItsBudgetFailsTheReloadVisiblyAndTheNextGoodEditIsServed() throws Exception {
    Definitions defs = new Definitions(dir, 7001);
    RenderLimits limits = new RenderLimits(Duration.ofSeconds(1), 16L << 20);
    try (DefinitionsReloader reloader =
        new DefinitionsReloader(defs.root(), cp, DiscoveredEndpoints.NONE, mesh -> {}, limits)) {
      reloader.reload().orElseThrow();
      GroupSnapshot good = web();
      reloader.watch(Duration.ofMillis(50));

      defs.write("templates/grpc/clusters.yaml.j2", THREE_NESTED_RANGES);

      await().atMost(Duration.ofSeconds(30)).until(() -> cp.reloads().current().isPresent());
      ReloadStatus.ReloadError error = cp.reloads().current().orElseThrow();
      // Both gRPC groups render this template; which went over first depends on the cores.
      assertThat(error.message())
          .startsWith(
              "templates/grpc/clusters.yaml.j2:1: render exceeded 1s time budget"
                  + " (--render-timeout) (group");
      assertThat(error.reason()).isEqualTo(ReloadStatus.Reason.RENDER_BUDGET);
      assertThat(errors("render_budget")).isEqualTo(1);
      assertThat(cp.registry().scrape())
          .contains("trellis_reload_errors_total{reason=\"render_budget\"} 1.0");
      assertThat(admin("/readyz"))
          .startsWith("ready\nlast load of the definitions failed at ")
          .endsWith("; serving the last good config:\n" + error.message() + "\n");
      assertThat(admin("/debug/errors"))
          .contains("\"reason\" : \"render_budget\"")
          .contains("render exceeded 1s time budget");
      assertThat(web()).isSameAs(good);

      // The reloader is not wedged: the fix is picked up like any edit.
      Files.delete(defs.root().resolve("templates/grpc/clusters.yaml.j2"));
      defs.greeter(7002);

      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> cp.reloads().current().isEmpty() && web() != good);
      assertThat(errors("render_budget")).isEqualTo(1);
    }
  }

  @Test
  void anOutputBlowUpFailsTheReloadWithinTheDefaultBudgetAndTheNextGoodEditIsServed()
      throws Exception {
    Definitions defs = new Definitions(dir, 7001);
    try (DefinitionsReloader reloader = new DefinitionsReloader(defs.root(), cp)) {
      reloader.reload().orElseThrow();
      GroupSnapshot good = web();
      reloader.watch(Duration.ofMillis(50));

      // 'x' * 100000000 in Jinja's words: 100 MB of output, six times the default 16 MiB budget.
      defs.write("templates/grpc/clusters.yaml.j2", "[]\n# {{ 'x'|center(100000000) }}\n");

      await().atMost(Duration.ofSeconds(30)).until(() -> cp.reloads().current().isPresent());
      ReloadStatus.ReloadError error = cp.reloads().current().orElseThrow();
      assertThat(error.message())
          .startsWith("templates/grpc/clusters.yaml.j2:2: ")
          .contains("16MiB budget (--render-max-output) (group");
      assertThat(error.reason()).isEqualTo(ReloadStatus.Reason.RENDER_BUDGET);
      assertThat(cp.registry().scrape())
          .contains("trellis_reload_errors_total{reason=\"render_budget\"} 1.0");
      assertThat(admin("/readyz")).endsWith(":\n" + error.message() + "\n");
      assertThat(admin("/debug/errors")).contains("\"reason\" : \"render_budget\"");
      assertThat(web()).isSameAs(good);

      Files.delete(defs.root().resolve("templates/grpc/clusters.yaml.j2"));
      defs.greeter(7002);

      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> cp.reloads().current().isEmpty() && web() != good);
    }
  }

  @Test
  void aRecursiveMacroFailsTheReloadAsARenderError() {
    Definitions defs = new Definitions(dir, 7001);
    try (DefinitionsReloader reloader = new DefinitionsReloader(defs.root(), cp)) {
      reloader.reload().orElseThrow();
      defs.write(
          "templates/grpc/clusters.yaml.j2",
          "{% macro m() %}{{ m() }}{% endmacro %}[]\n# {{ m() }}\n");

      assertThat(reloader.reload()).isEmpty();

      assertThat(cp.reloads().current().orElseThrow().message())
          .isEqualTo(
              "templates/grpc/clusters.yaml.j2:2: macro 'm' calls itself; recursive macros are"
                  + " not allowed (groups 'grpc:greeter', 'grpc:web')");
      assertThat(cp.reloads().current().orElseThrow().reason())
          .isEqualTo(ReloadStatus.Reason.RENDER);
      assertThat(errors("render")).isEqualTo(1);
    }
  }

  @Test
  void anErrorInAScheduledReloadIsLoggedShownAndHandedOnNotSwallowed() throws IOException {
    Definitions defs = new Definitions(dir, 7001);
    AtomicBoolean exhausted = new AtomicBoolean();
    OutOfMemoryError oom = new OutOfMemoryError("Java heap space (test)");
    AtomicReference<Error> fatal = new AtomicReference<>();
    try (DefinitionsReloader reloader =
        new DefinitionsReloader(
            defs.root(),
            cp,
            DiscoveredEndpoints.NONE,
            mesh -> {
              if (exhausted.get()) {
                throw oom;
              }
            })) {
      reloader.reload().orElseThrow();
      GroupSnapshot good = web();
      reloader.onFatal(fatal::set);
      reloader.watch(Duration.ofMillis(50));
      exhausted.set(true);

      defs.greeter(7002);

      await().atMost(Duration.ofSeconds(30)).until(() -> fatal.get() != null);
      assertThat(fatal.get()).isSameAs(oom);
      ReloadStatus.ReloadError error = cp.reloads().current().orElseThrow();
      assertThat(error.message())
          .isEqualTo(
              "fatal error while reloading: java.lang.OutOfMemoryError: Java heap space (test)");
      assertThat(error.reason()).isEqualTo(ReloadStatus.Reason.INTERNAL);
      assertThat(errors("internal")).isEqualTo(1);
      assertThat(web()).isSameAs(good);

      // Called directly, the Error comes out too.
      fatal.set(null);
      assertThatThrownBy(reloader::reloadLogged).isSameAs(oom);
      assertThat(fatal.get()).isSameAs(oom);
      assertThat(errors("internal")).isEqualTo(2);
    }
  }

  private double errors(String reason) {
    return cp.registry().get("trellis.reload.errors").tag("reason", reason).counter().count();
  }

  private String admin(String path) throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cp.adminPort() + path))
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    return response.body();
  }

  private double groups(String outcome) {
    return cp.registry().get("trellis.reload.groups").tag("outcome", outcome).counter().count();
  }
}
