package dev.trellis.render;

import static dev.trellis.render.Protos.cluster;
import static dev.trellis.render.Protos.endpoints;
import static dev.trellis.render.Protos.names;
import static dev.trellis.render.Protos.route;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.model.Mesh;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Values from definitions never change the structure of the rendered YAML: they come out as the
 * very string that went in, and no extra resource or field appears.
 */
class InjectionTest {

  private static final MeshRenderer RENDERER = new MeshRenderer();

  static final String[] NASTY = {
    "evil\"\n- name: injected",
    "a}: {b",
    "x\n  type: STATIC",
    "{{ mesh.name }}",
    "{% if true %}x{% endif %}",
    "q'uote\\back\\slash\"",
    "line\u2028sep\u0085nel\u007fdel\ttab",
    "emoji \ud83d\ude00 and é",
    "- name: leading dash",
    "# not a comment",
    "&anchor *alias !tag",
    "null",
    "true",
    "123",
    "",
  };

  /** A mesh where {@code name} is a service that web calls and the gateway exposes. */
  private static MeshBuilder meshWith(String name, String host, String path) {
    return new MeshBuilder(name, host, path);
  }

  /** The injection mesh, optionally with one template override. */
  record MeshBuilder(String name, String host, String path) {
    Mesh withOverride(String template, String text) {
      return fixture().override(template, text).build();
    }

    Mesh build() {
      return fixture().build();
    }

    private MeshFixture fixture() {
      return injectionFixture(name, host, path);
    }
  }

  private static MeshFixture injectionFixture(String name, String host, String path) {
    return MeshFixture.mesh()
        .gateway("public", 8443, 8080)
        .service(
            "web", s -> s.http(8080).sidecar(true).instances("10.0.0.1").dependsOn(name, null, 1))
        .service(
            name,
            s ->
                s.http(9000)
                    .sidecar(false)
                    .instance(host, 9000, host)
                    .expose("public", List.of(host), List.of(path)));
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13})
  void nastyStringsRenderAsPlainValues(int i) {
    String nasty = NASTY[i];
    RenderedMesh m = RENDERER.render(meshWith("svc" + nasty, nasty, "/" + nasty).build());
    RenderedGroup web = m.groups().get("web");
    assertThat(names(web, ResourceType.CLUSTER))
        .containsExactlyInAnyOrder("local_app", "svc" + nasty);
    assertThat(names(web, ResourceType.ENDPOINT)).containsExactly("svc" + nasty);
    VirtualHost vh = route(web, "outbound").getVirtualHosts(0);
    assertThat(vh.getName()).isEqualTo("svc" + nasty);
    assertThat(vh.getDomainsList()).containsExactly("svc" + nasty, "svc" + nasty + ":9000");
    assertThat(cluster(web, "svc" + nasty).getEdsClusterConfig().getEdsConfig().hasAds()).isTrue();
    var ep = endpoints(web, "svc" + nasty).getEndpoints(0);
    assertThat(ep.getLocality().getZone()).isEqualTo(nasty);
    assertThat(ep.getLbEndpoints(0).getEndpoint().getAddress().getSocketAddress().getAddress())
        .isEqualTo(nasty);

    RenderedGroup gw = m.groups().get("public");
    VirtualHost exposed = route(gw, "http").getVirtualHosts(0);
    assertThat(exposed.getDomainsList()).containsExactly(nasty);
    assertThat(exposed.getRoutesList())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getMatch().getPrefix()).isEqualTo("/" + nasty);
              assertThat(r.getRoute().getCluster()).isEqualTo("svc" + nasty);
            });
    assertThat(gw.resources()).hasSize(4);
  }

  @Property(tries = 200)
  void anyStringRoundTripsThroughTheQuoteFilter(@ForAll("strings") String s) throws Exception {
    String yaml = "- " + QuoteFilter.quote(s) + "\n- " + QuoteFilter.quote(List.of(s, s)) + "\n";
    var tree = new com.fasterxml.jackson.dataformat.yaml.YAMLMapper().readTree(yaml);
    assertThat(tree.size()).isEqualTo(2);
    assertThat(tree.get(0).asText()).isEqualTo(s);
    assertThat(tree.get(1).get(1).asText()).isEqualTo(s);
  }

  @Provide
  Arbitrary<String> strings() {
    return Arbitraries.oneOf(
        Arbitraries.strings().all().ofMaxLength(40),
        Arbitraries.strings().withChars("\"'\\:{}[]-#&*!|>%@`\n\r\t ,?").ofMaxLength(20),
        Arbitraries.of(NASTY));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "common/endpoints.yaml.j2",
        "common/mtls.j2",
        "common/traffic.j2",
        "edge/clusters.yaml.j2",
        "edge/listeners.yaml.j2",
        "edge/routes.yaml.j2",
        "grpc/clusters.yaml.j2",
        "grpc/listeners.yaml.j2",
        "grpc/routes.yaml.j2",
        "sidecar/clusters.yaml.j2",
        "sidecar/listeners.yaml.j2",
        "sidecar/routes.yaml.j2"
      })
  void defaultTemplatesQuoteEveryNonNumericValue(String path) {
    var expressions =
        java.util.regex.Pattern.compile("\\{\\{(.*?)\\}\\}")
            .matcher(DefaultTemplates.all().get(path));
    while (expressions.find()) {
      String e = expressions.group(1).strip();
      // Calls of macros are fine: their own expressions are checked here too.
      assertThat(
              e.endsWith("|q")
                  || e.matches(
                      "[a-z_.]*(port|weight|retries|kb|percent|concurrency|burst|second)"
                          + "( \\+ 1)?")
                  || e.matches("-? ?([a-z]+\\.)?[a-z_]+\\([a-z_.\", ]*\\)")
                  || e.equals("\", \" if not loop.last else \"\""))
          .as("%s: {{ %s }} must end with |q", path, e)
          .isTrue();
    }
  }

  @org.junit.jupiter.api.Test
  void withoutQuotingACraftedNameWouldAddAResource() {
    Mesh mesh =
        meshWith("evil\n- name: injected", "10.0.0.9", "/")
            .withOverride(
                "sidecar/clusters.yaml.j2",
                "{%- for dep in dependencies %}\n- name: {{ dep.cluster }}\n{%- endfor %}\n");
    assertThat(names(RENDERER.render(mesh).groups().get("web"), ResourceType.CLUSTER))
        .containsExactly("evil", "injected");
  }
}
