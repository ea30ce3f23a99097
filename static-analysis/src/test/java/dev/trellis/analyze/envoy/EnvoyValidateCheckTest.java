package dev.trellis.analyze.envoy;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import dev.trellis.analyze.Analyzer;
import dev.trellis.analyze.Finding;
import dev.trellis.model.DefinitionTree;
import dev.trellis.model.Mesh;
import dev.trellis.model.load.DefinitionLoader;
import dev.trellis.render.EnvoyTypes;
import dev.trellis.render.MeshRenderer;
import dev.trellis.render.ProxyKind;
import dev.trellis.render.RenderedGroup;
import dev.trellis.render.RenderedMesh;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The static bootstrap of each Envoy group of the sample mesh, and TRL215 with fake Envoy binaries
 * (no Envoy is installed here; users' CI machines run the real one).
 */
class EnvoyValidateCheckTest {

  private static final RenderedMesh SAMPLE =
      new MeshRenderer().render(load(Path.of("..", "samples", "mesh")));

  @TempDir Path dir;

  @Test
  void eachEnvoyGroupAssemblesIntoABootstrapThatParsesAndPassesEnvoysFieldRules() throws Exception {
    List<RenderedGroup> envoyGroups = envoyGroups();
    assertThat(envoyGroups).hasSizeGreaterThan(3);
    ProtoValidator pgv = new ProtoValidator();
    for (RenderedGroup group : envoyGroups) {
      String json = EnvoyValidateCheck.bootstrapJson(group);
      Bootstrap.Builder parsed = Bootstrap.newBuilder();
      JsonFormat.parser().usingTypeRegistry(EnvoyTypes.registry()).merge(json, parsed);
      Bootstrap b = parsed.build();

      assertThat(pgv.validate(b, EnvoyTypes.registry())).as(group.group().id()).isEmpty();
      assertThat(json).as(group.group().id()).doesNotContain("\"ads\"", "\"rds\"", "\"EDS\"");
      assertThat(b.getNode().getCluster()).isEqualTo(group.group().id());
      Set<String> clusters =
          b.getStaticResources().getClustersList().stream()
              .map(Cluster::getName)
              .collect(Collectors.toSet());
      assertThat(routedClusters(b)).as(group.group().id()).isNotEmpty().isSubsetOf(clusters);
      assertThat(b.getStaticResources().getClustersList())
          .allMatch(c -> c.getLoadAssignment().getClusterName().equals(c.getName()));
    }
  }

  @Test
  void anEnvoyThatAcceptsGivesNoFinding() throws IOException {
    Path envoy =
        script(
            "accepts",
            "[ \"$1\" = --mode ] && [ \"$2\" = validate ] && [ \"$3\" = -c ] && [ -s \"$4\" ]"
                + " || { echo \"bad arguments: $*\"; exit 9; }\nexit 0");
    assertThat(lint(envoy, Duration.ofSeconds(30))).isEmpty();
  }

  @Test
  void anEnvoyThatRejectsGivesOneFindingPerEnvoyGroup() throws IOException {
    Path envoy =
        script(
            "rejects",
            "echo '[critical] error initializing configuration: Proto constraint validation"
                + " failed'\necho\necho second line\nexit 1");
    List<Finding> findings = lint(envoy, Duration.ofSeconds(30));
    assertThat(findings).hasSize(envoyGroups().size());
    Finding web =
        findings.stream()
            .filter(f -> f.group().equals(Optional.of("public")))
            .findFirst()
            .orElseThrow();
    assertThat(web.ruleId()).isEqualTo("TRL215");
    assertThat(web.message())
        .isEqualTo(
            "envoy --mode validate rejects the config of group 'public' (exit 1: [critical] error"
                + " initializing configuration: Proto constraint validation failed | second"
                + " line)");
    assertThat(web.location().file()).isEqualTo("mesh.yaml");
  }

  @Test
  void anEnvoyThatHangsIsStoppedAtTheTimeout() throws IOException {
    Path envoy = script("hangs", "exec sleep 600");
    long start = System.nanoTime();
    List<Finding> findings = lint(envoy, Duration.ofMillis(300));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(60));
    assertThat(findings)
        .hasSize(envoyGroups().size())
        .allMatch(f -> f.message().endsWith("(no answer within 0 s)"));
  }

  private List<Finding> lint(Path envoy, Duration timeout) {
    Analyzer analyzer =
        Analyzer.standard(
            Optional.empty(), Optional.of(new EnvoyValidateCheck.EnvoyBinary(envoy, timeout)));
    return analyzer.analyze(SAMPLE.mesh(), SAMPLE).findings().stream()
        .filter(f -> f.ruleId().equals(EnvoyValidateCheck.RULE.id()))
        .toList();
  }

  private Path script(String name, String body) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
    return file;
  }

  private static List<RenderedGroup> envoyGroups() {
    return SAMPLE.groups().values().stream()
        .filter(g -> g.group().kind() != ProxyKind.GRPC)
        .toList();
  }

  private static List<String> routedClusters(Bootstrap b) throws Exception {
    List<String> out = new ArrayList<>();
    for (Listener l : b.getStaticResources().getListenersList()) {
      for (FilterChain chain : l.getFilterChainsList()) {
        for (Filter f : chain.getFiltersList()) {
          if (f.getTypedConfig().is(HttpConnectionManager.class)) {
            HttpConnectionManager hcm = f.getTypedConfig().unpack(HttpConnectionManager.class);
            for (VirtualHost v : hcm.getRouteConfig().getVirtualHostsList()) {
              for (Route r : v.getRoutesList()) {
                if (r.hasRoute() && !r.getRoute().getCluster().isEmpty()) {
                  out.add(r.getRoute().getCluster());
                }
              }
            }
          }
        }
      }
    }
    return out;
  }

  private static Mesh load(Path root) {
    return DefinitionLoader.load(DefinitionTree.fromDirectory(root)).orElseThrow();
  }
}
