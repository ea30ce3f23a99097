package dev.trellis.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trellis.publish.GroupSnapshot;
import dev.trellis.publish.PublishResult;
import dev.trellis.publish.PublishedGroup;
import dev.trellis.render.ResourceType;
import dev.trellis.testing.Definitions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
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

  private double groups(String outcome) {
    return cp.registry().get("trellis.reload.groups").tag("outcome", outcome).counter().count();
  }
}
