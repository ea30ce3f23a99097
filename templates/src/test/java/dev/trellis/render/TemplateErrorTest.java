package dev.trellis.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.trellis.model.Mesh;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Every template or rendered-output problem names the template file and line. */
class TemplateErrorTest {

  private static final String CLUSTERS = "sidecar/clusters.yaml.j2";
  private final MeshRenderer renderer = new MeshRenderer();

  private List<String> errors(String path, String template) {
    return errors(f -> f.override(path, template));
  }

  private List<String> errors(UnaryOperator<MeshFixture> overrides) {
    Mesh mesh = overrides.apply(MeshFixture.shop()).build();
    RenderException e = catchThrowableOfType(RenderException.class, () -> renderer.render(mesh));
    assertThat(e).as("rendering should fail").isNotNull();
    assertThat(e.getMessage())
        .isEqualTo(String.join("\n", e.errors().stream().map(Object::toString).toList()));
    return e.errors().stream().map(RenderError::toString).toList();
  }

  @Test
  void missingEndTag() {
    assertThat(errors(CLUSTERS, "- name: x\n{% if true %}\n  type: EDS\n"))
        .containsExactly(
            "templates/sidecar/clusters.yaml.j2:2: Syntax error in '{% if true %}': Missing end tag:"
                + " endif for tag defined as: {% if true %}");
  }

  @Test
  void unknownTag() {
    assertThat(errors(CLUSTERS, "- name: x\n\n{% frobnicate %}\n"))
        .containsExactly(
            "templates/sidecar/clusters.yaml.j2:3: Syntax error in '{% frobnicate %}': Unknown tag:"
                + " frobnicate");
  }

  @Test
  void unknownVariable() {
    assertThat(errors(CLUSTERS, "- name: local_app\n  type: STATIC\n- name: {{ servce.name|q }}\n"))
        .singleElement()
        .asString()
        .startsWith("templates/sidecar/clusters.yaml.j2:3: unknown variable 'servce.name'")
        .endsWith("(groups 'admin', 'catalog', 'inventory' and 2 more)");
  }

  @Test
  void unknownAttribute() {
    assertThat(errors(CLUSTERS, "\n\n\n- name: {{ service.nme|q }}\n"))
        .singleElement()
        .asString()
        .startsWith("templates/sidecar/clusters.yaml.j2:4: unknown variable 'service.nme'");
  }

  @Test
  void unknownFilter() {
    assertThat(errors(CLUSTERS, "- name: local_app\n  type: {{ 'STATIC'|shout }}\n"))
        .singleElement()
        .asString()
        .startsWith(
            "templates/sidecar/clusters.yaml.j2:2: unknown filter 'shout' in ''STATIC'|shout'");
  }

  @Test
  void expressionSyntaxError() {
    assertThat(errors(CLUSTERS, "- name: local_app\n  type: {{ service.name | }}\n"))
        .singleElement()
        .asString()
        .startsWith("templates/sidecar/clusters.yaml.j2:2: Error parsing 'service.name |'");
  }

  @Test
  void errorInsideAnIncludedTemplateNamesThatTemplate() {
    List<String> errors =
        errors(
            f ->
                f.override(CLUSTERS, "- name: local_app\n{% include 'lib/parts.j2' %}\n")
                    .override("lib/parts.j2", "  type: STATIC\n  connect_timeout: {{ nope }}\n"));
    assertThat(errors)
        .singleElement()
        .asString()
        .startsWith("templates/lib/parts.j2:2: unknown variable 'nope'");
  }

  @Test
  void missingInclude() {
    assertThat(errors(CLUSTERS, "- name: local_app\n{% include 'lib/missing.j2' %}\n"))
        .singleElement()
        .asString()
        .startsWith(
            "templates/sidecar/clusters.yaml.j2:2: no template 'lib/missing.j2' under templates/");
  }

  @Test
  void errorInsideAnImportedMacroNamesTheMacroTemplate() {
    List<String> errors =
        errors(
            f ->
                f.override(
                        CLUSTERS,
                        "{% from 'lib/macros.j2' import eds %}\n"
                            + "{%- for dep in dependencies %}\n"
                            + "{{ eds(dep) }}\n"
                            + "{%- endfor %}\n")
                    .override(
                        "lib/macros.j2",
                        "{% macro eds(dep) %}\n- name: {{ dep.name|q }}\n  type: {{ dep.kind }}\n{% endmacro %}\n"));
    assertThat(errors)
        .singleElement()
        .asString()
        .startsWith("templates/lib/macros.j2:3: unknown variable 'dep.kind'");
  }

  @Test
  void unknownFieldNamesTemplateLineAndResource() {
    assertThat(
            errors(
                CLUSTERS,
                "- name: local_app\n  type: STATIC\n- name: {{ service.name|q }}\n  bogus_field: 1\n"))
        .hasSize(5)
        .first()
        .asString()
        .isEqualTo(
            "templates/sidecar/clusters.yaml.j2:3: Cluster 'admin': Cannot find field: bogus_field"
                + " in message envoy.config.cluster.v3.Cluster (group 'admin')");
  }

  @Test
  void unknownFieldInsideTypedConfig() {
    String template =
        "- name: local_app\n"
            + "  typed_extension_protocol_options:\n"
            + "    envoy.extensions.upstreams.http.v3.HttpProtocolOptions:\n"
            + "      \"@type\": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions\n"
            + "      explicit_http_config: {http3_please: {}}\n";
    assertThat(errors(CLUSTERS, template))
        .singleElement()
        .asString()
        .startsWith("templates/sidecar/clusters.yaml.j2:1: Cluster 'local_app': ")
        .contains("http3_please")
        .contains("envoy.extensions.upstreams.http.v3.HttpProtocolOptions");
  }

  @Test
  void unknownTypeUrl() {
    String template =
        "- name: local_app\n"
            + "  typed_extension_protocol_options:\n"
            + "    x:\n"
            + "      \"@type\": type.googleapis.com/acme.Nope\n";
    assertThat(errors(CLUSTERS, template))
        .singleElement()
        .asString()
        .startsWith("templates/sidecar/clusters.yaml.j2:1: Cluster 'local_app': ")
        .contains("type.googleapis.com/acme.Nope");
  }

  @Test
  void invalidYamlPointsAtTheResourceAndRenderedLine() {
    assertThat(errors(CLUSTERS, "- name: local_app\n  type: STATIC\n\n- name: b\n  type: [EDS\n"))
        .singleElement()
        .asString()
        .startsWith(
            "templates/sidecar/clusters.yaml.j2:4: rendered text is not valid YAML at rendered line");
  }

  @Test
  void notAList() {
    assertThat(errors(CLUSTERS, "name: local_app\n"))
        .singleElement()
        .asString()
        .startsWith(
            "templates/sidecar/clusters.yaml.j2: expected a YAML list of Cluster resources, got a"
                + " mapping");
  }

  @Test
  void resourceWithoutName() {
    assertThat(errors(CLUSTERS, "- type: STATIC\n"))
        .singleElement()
        .asString()
        .startsWith("templates/sidecar/clusters.yaml.j2:1: Cluster #1 has no name");
  }

  @Test
  void resourceRenderedTwice() {
    assertThat(errors(CLUSTERS, "- name: local_app\n\n- name: local_app\n"))
        .singleElement()
        .asString()
        .startsWith(
            "templates/sidecar/clusters.yaml.j2:3: Cluster 'local_app' is rendered twice (first at"
                + " templates/sidecar/clusters.yaml.j2:1)");
  }

  @Test
  void errorsOfSeveralTemplatesAreAllReported() {
    List<String> errors =
        errors(
            f ->
                f.override(CLUSTERS, "- name: {{ a }}\n")
                    .override("edge/routes.yaml.j2", "{% if %}"));
    assertThat(errors).hasSize(1).allMatch(e -> e.startsWith("templates/edge/routes.yaml.j2:1:"));
    // Syntax errors stop before rendering; once fixed, rendering errors show up.
    assertThat(
            errors(
                f ->
                    f.override(CLUSTERS, "- name: {{ a }}\n")
                        .override("edge/routes.yaml.j2", "- name: {{ b }}\n")))
        .hasSize(2)
        .anyMatch(e -> e.startsWith("templates/sidecar/clusters.yaml.j2:1: unknown variable 'a'"))
        .anyMatch(e -> e.startsWith("templates/edge/routes.yaml.j2:1: unknown variable 'b'"));
  }

  @Test
  void groupsThatRenderAreKeptWhenOthersFail() {
    Mesh mesh =
        MeshFixture.shop().override("edge/routes.yaml.j2", "- name: {{ nope|q }}\n").build();
    RenderException e = catchThrowableOfType(RenderException.class, () -> renderer.render(mesh));
    assertThat(e.partial()).isPresent();
    assertThat(e.partial().get().groups().keySet())
        .contains("web", "grpc:orders")
        .doesNotContain("public")
        .hasSize(MeshRenderer.groups(mesh).size() - 1);
    Mesh broken = MeshFixture.shop().override("edge/routes.yaml.j2", "{% if %}").build();
    assertThat(catchThrowableOfType(RenderException.class, () -> renderer.render(broken)).partial())
        .isEmpty();
  }

  @Test
  void renderErrorFormat() {
    assertThat(new RenderError("a/b.j2", 7, List.of(), "broken"))
        .hasToString("templates/a/b.j2:7: broken");
    assertThat(new RenderError("a/b.j2", 0, List.of("web"), "broken"))
        .hasToString("templates/a/b.j2: broken (group 'web')");
    assertThat(new RenderError("a/b.j2", 1, List.of("a", "b"), "x"))
        .hasToString("templates/a/b.j2:1: x (groups 'a', 'b')");
  }
}
