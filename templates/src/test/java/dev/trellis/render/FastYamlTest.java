package dev.trellis.render;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.trellis.model.Mesh;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The fast reader agrees with Jackson whenever it answers. */
class FastYamlTest {

  private static final YAMLMapper JACKSON = new YAMLMapper();

  private static JsonNode agrees(String yaml) {
    JsonNode fast = FastYaml.parse(yaml);
    if (fast != null) {
      JsonNode jackson;
      try {
        jackson = JACKSON.readTree(yaml);
      } catch (Exception e) {
        throw new AssertionError("fast reader accepted YAML Jackson rejects:\n" + yaml, e);
      }
      assertThat(fast).as(yaml).isEqualTo(jackson);
    }
    return fast;
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "- name: a\n  port: 15006\n",
        "- name: a\n  x: {a: 1, b: [1, 2.5, \"s\", 'q''s'], c: {}}\n  y: []\n",
        "a:\n- 1\n- 2\nb: 3\n",
        "- a: 1\n  b:\n    - c\n    - d\n  e:\n  - f\n",
        "key: value # comment\n# full comment\nother: 'single # not comment'\n",
        "k: \"esc \\\" \\\\ \\n \\t \\u00e9 \\ud83d\\ude00\"\n",
        "ip: 0.0.0.0\nd: 1.5s\nms: 250ms\nv: 1.2.3\n",
        "t: true\nf: false\nn: null\ntilde: ~\nempty:\n",
        "\"@type\": type.googleapis.com/x\nurl: http://x:8080/a\n",
        "y: 1\nyes: 2\ntrue: 3\nOn: 4\n",
      })
  void subsetIsReadFast(String yaml) {
    assertThat(agrees(yaml)).as(yaml).isNotNull();
  }

  @org.junit.jupiter.api.Test
  void defaultTemplatesRenderInsideTheSubset() {
    Mesh mesh = MeshFixture.shop().build();
    TemplateSet templates = TemplateSet.compile(mesh.templateOverrides(), RenderLimits.DEFAULT);
    RenderModel model =
        new RenderModel(mesh, DiscoveredEndpoints.NONE, () -> RenderModel.principals(mesh));
    int checked = 0;
    for (ProxyGroup g : MeshRenderer.groups(mesh)) {
      for (ResourceType type : ResourceType.values()) {
        var template = templates.templateFor(g.kind(), type);
        if (template.isEmpty()) {
          continue;
        }
        var bindings =
            type == ResourceType.ENDPOINT ? model.endpointBindings(g) : model.bindings(g);
        String text =
            templates
                .render(
                    template.get(),
                    bindings,
                    g.id(),
                    null,
                    new RenderBudget(RenderLimits.DEFAULT, new RenderBudget.Stop()))
                .text();
        if (!text.isBlank()) {
          assertThat(agrees(text)).as(text).isNotNull();
          checked++;
        }
      }
    }
    assertThat(checked).isGreaterThan(30);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "- name: a\n  port: 15006\n",
        "- name: a\n  x: {a: 1, b: [1, 2.5, \"s\", 'q''s'], c: {}}\n  y: []\n",
        "a:\n- 1\n- 2\nb: 3\n",
        "- \n  a: 1\n-\n- x\n",
        "key: value # comment\n# full comment\nother: 'single # not comment'\n",
        "k: \"esc \\\" \\\\ \\n \\t \\u00e9 \\ud83d\\ude00\"\n",
        "ip: 0.0.0.0\nd: 1.5s\nms: 250ms\nv: 1.2.3\n",
        "t: true\nf: false\nn: null\ntilde: ~\nempty:\n",
        "y: yes\nn: No\non: on\n",
        "octal: 012\nhex: 0x1F\nsexa: 1:30\nneg: -0\nexp: 1e5\ninf: .inf\ndot: .5\n",
        "big: 12345678901234567890\nlong: 123456789012\nint: -42\n",
        "date: 2001-12-14\ntime: 12:30:00\n",
        "url: http://x:8080/a\ncolon: a:b\n",
        "- - nested\n",
        "anchor: &a 1\nalias: *a\n",
        "tag: !!str 1\n",
        "block: |\n  text\n",
        "multi: a\n  b\n",
        "\"@type\": type.googleapis.com/x\n",
        "a: {b: c d, e: [f g, h]}\n",
        "a: [b: c]\n",
        "a: {b}\n",
        "dup: 1\ndup: 2\n",
        "trailing: [1, 2, ]\n",
        "  indented: 1\n  second: 2\n",
        "- a: 1\n  b:\n    - c\n    - d\n  e:\n  - f\n",
        "star: *\n",
        "none: none\nNULL: 1\n",
        "y: 1\nyes: 2\ntrue: 3\nOn: 4\nnull: 5\n",
        "---\na: 1\n",
        "a: 1\n---\nb: 2\n",
        "tab:\t1\n",
        "k: v\r\n",
      })
  void examples(String yaml) {
    agrees(yaml);
  }

  @Property(tries = 300)
  void blockStyleOfAnyTree(@ForAll("trees") JsonNode tree) throws Exception {
    String yaml = JACKSON.writeValueAsString(tree).replaceFirst("^---\n", "");
    Statistics.label("quoted").collect(agrees(yaml) != null);
    String minimal =
        YAMLMapper.builder()
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .build()
            .writeValueAsString(tree);
    Statistics.label("minimal quotes").collect(agrees(minimal) != null);
  }

  @Property(tries = 300)
  void flowStyleOfAnyTree(@ForAll("trees") JsonNode tree) {
    Statistics.label("q filter")
        .collect(agrees("- " + QuoteFilter.quote(toJava(tree)) + "\n") != null);
    agrees("k: " + tree.toString() + "\n");
  }

  @Provide
  Arbitrary<JsonNode> trees() {
    Arbitrary<String> words =
        Arbitraries.oneOf(
            Arbitraries.strings().withChars("abcXYZ019 ._/:#-'\"{}[],@&*!|>%~\\").ofMaxLength(8),
            Arbitraries.of(
                "true",
                "false",
                "null",
                "~",
                "yes",
                "No",
                "on",
                "0",
                "-0",
                "012",
                "0x1F",
                "1.5",
                "1e5",
                ".inf",
                "0.0.0.0",
                "1.5s",
                "250ms",
                "1:30",
                "2001-12-14",
                "",
                " ",
                "a b",
                "é",
                "\u2028",
                "- x",
                "a: b",
                "#c"));
    Arbitrary<JsonNode> scalars =
        Arbitraries.oneOf(
            words.map(JsonNodeFactory.instance::textNode),
            Arbitraries.integers().map(JsonNodeFactory.instance::numberNode),
            Arbitraries.longs().map(JsonNodeFactory.instance::numberNode),
            Arbitraries.of(true, false).map(JsonNodeFactory.instance::booleanNode),
            Arbitraries.just(JsonNodeFactory.instance.nullNode()),
            Arbitraries.doubles()
                .between(-1e6, 1e6)
                .ofScale(3)
                .map(d -> JsonNodeFactory.instance.numberNode(d.doubleValue())));
    return Arbitraries.recursive(
        () -> scalars,
        inner ->
            Arbitraries.oneOf(
                inner.list().ofMaxSize(4).map(FastYamlTest::array),
                Arbitraries.maps(words.filter(w -> !w.isEmpty()), inner)
                    .ofMaxSize(4)
                    .map(FastYamlTest::object)),
        3);
  }

  private static JsonNode array(List<JsonNode> items) {
    ArrayNode a = JsonNodeFactory.instance.arrayNode();
    items.forEach(a::add);
    return a;
  }

  private static JsonNode object(java.util.Map<String, JsonNode> fields) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    fields.forEach(o::set);
    return o;
  }

  private static Object toJava(JsonNode n) {
    if (n.isObject()) {
      java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
      n.fields().forEachRemaining(e -> m.put(e.getKey(), toJava(e.getValue())));
      return m;
    }
    if (n.isArray()) {
      List<Object> l = new ArrayList<>();
      n.forEach(i -> l.add(toJava(i)));
      return l;
    }
    if (n.isNull()) {
      return null;
    }
    if (n.isTextual()) {
      return n.asText();
    }
    if (n.isBoolean()) {
      return n.asBoolean();
    }
    if (n.isInt()) {
      return n.asInt();
    }
    if (n.isLong()) {
      return n.asLong();
    }
    return n.asDouble();
  }
}
