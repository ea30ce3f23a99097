package dev.trellis.publish;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.analyze.AnalysisResult;
import dev.trellis.analyze.Analyzer;
import dev.trellis.analyze.Finding;
import dev.trellis.analyze.Level;
import dev.trellis.analyze.Suppressions;
import dev.trellis.model.DefinitionTree;
import dev.trellis.model.Mesh;
import dev.trellis.model.load.DefinitionLoader;
import dev.trellis.model.load.LoadResult;
import dev.trellis.render.MeshRenderer;
import dev.trellis.render.RenderException;
import dev.trellis.render.RenderLimits;
import dev.trellis.render.RenderedGroup;
import dev.trellis.render.RenderedMesh;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Hostile definitions and templates, generated: the pipeline (load, render, analyze, gate) never
 * throws anything but its own typed errors, every problem is located in a file of the tree, no
 * comment of a definitions file is ever echoed back, and nothing the gate lets through has an error
 * finding.
 */
class HostileMeshPropertyTest {

  /** Planted in comments: an error that quotes it has echoed file content. */
  private static final String MARKER = "s3cr3t-marker-7f";

  private static final SortedMap<String, String> BASE =
      new TreeMap<>(
          Map.of(
              "mesh.yaml",
              """
              name: shop
              trustDomain: shop.example.internal
              mtls: permissive
              gateways:
                - name: public
                  httpsPort: 8443
                  httpPort: 8080
                  tls:
                    - hosts: [shop.example.com]
                      meshCa: true
              """,
              "services/web.yaml",
              """
              name: web
              owner: team-web
              protocol: http
              port: 8080
              sidecar: true
              endpoints:
                static: ["10.0.0.1:8080"]
              dependencies:
                - name: ledger
                  timeout: 2s
              edge:
                gateway: public
                hosts: [shop.example.com]
                paths: [/]
                timeout: 5s
              """,
              "services/ledger.yaml",
              """
              name: ledger
              owner: team-payments
              protocol: grpc
              port: 9090
              sidecar: true
              mtls: strict
              endpoints:
                static: ["10.0.1.5:9090"]
              """));

  private static final List<String> TEMPLATES =
      List.of(
          "templates/sidecar/clusters.yaml.j2",
          "templates/sidecar/listeners.yaml.j2",
          "templates/edge/routes.yaml.j2",
          "templates/common/endpoints.yaml.j2");

  private final Analyzer analyzer = Analyzer.standard();
  private final MeshRenderer renderer = new MeshRenderer();

  // Budgets far below the defaults, so that thousands of runaway templates finish in seconds; a
  // group over budget is one more located error the gate must hold back.
  private final MeshRenderer tightRenderer =
      new MeshRenderer(new RenderLimits(Duration.ofMillis(100), 1L << 20));

  @Property(tries = 6000)
  void hostileDefinitionsAreLocatedAndNeverPublishedBroken(@ForAll("definitions") Edit edit) {
    check(edit.apply(BASE), renderer);
  }

  @Property(tries = 4000)
  void hostileTemplatesAreLocatedAndNeverPublishedBroken(
      @ForAll("templatePaths") String path, @ForAll("templates") String template) {
    SortedMap<String, String> files = new TreeMap<>(BASE);
    files.put(path, template);
    check(files, tightRenderer);
  }

  private void check(SortedMap<String, String> files, MeshRenderer renderer) {
    DefinitionTree tree = new DefinitionTree(files);
    Suppressions suppressions = Suppressions.scan(tree, analyzer.registry());
    LoadResult loaded = DefinitionLoader.load(tree);
    if (!loaded.ok()) {
      assertThat(loaded.errors())
          .isNotEmpty()
          .allSatisfy(
              e -> {
                assertLocatedIn(files, e.location().file(), e.location().line());
                assertThat(e.message()).doesNotContain(MARKER).doesNotContain("\n");
              });
      return;
    }
    Mesh mesh = loaded.orElseThrow();
    RenderedMesh rendered;
    try {
      rendered = renderer.render(mesh);
    } catch (RenderException e) {
      boolean overBudget = e.overBudget();
      assertThat(e.errors())
          .isNotEmpty()
          .allSatisfy(
              r -> {
                // Time runs out in whichever template renders then, a default one included.
                if (!overBudget) {
                  // An override may include a default template; its error is located there.
                  assertThat(
                          files.containsKey("templates/" + r.template())
                              || MeshRenderer.class.getResource(
                                      "/trellis/templates/" + r.template())
                                  != null)
                      .as("%s is a template of the tree or a default one", r.template())
                      .isTrue();
                }
                // A template error may quote the expression it could not parse (the author's own
                // template, as a compiler does); definitions and findings never quote content.
                assertThat(r.message()).hasSizeLessThan(4096);
              });
      rendered = e.partial().orElse(new RenderedMesh(mesh, new TreeMap<>()));
    }
    AnalysisResult analysis = analyzer.analyze(mesh, rendered, suppressions);
    for (Finding f : analysis.findings()) {
      assertLocatedIn(files, f.location().file(), f.location().line());
      assertThat(f.message()).doesNotContain(MARKER);
    }
    PublishGate.Decision decision = PublishGate.decide(rendered, analysis, Map.of());
    List<String> errorsOfPublished = new ArrayList<>();
    for (RenderedGroup group : decision.publish()) {
      String id = group.group().id();
      // Re-analyze what goes out as if it were the whole mesh: its own findings must be clean.
      RenderedMesh alone = new RenderedMesh(mesh, new TreeMap<>(Map.of(id, group)));
      analyzer.analyze(mesh, alone, suppressions).findings().stream()
          .filter(f -> f.level() == Level.ERROR && f.group().filter(id::equals).isPresent())
          .forEach(f -> errorsOfPublished.add(id + ": " + f.ruleId() + " " + f.message()));
    }
    assertThat(errorsOfPublished).isEmpty();
  }

  private static void assertLocatedIn(Map<String, String> files, String file, int line) {
    assertThat(files).containsKey(file);
    assertThat(line).isBetween(0, (int) files.get(file).lines().count() + 1);
  }

  /** A change to the base tree: a line replaced or inserted into one file. */
  record Edit(String file, int line, boolean replace, String text) {

    SortedMap<String, String> apply(SortedMap<String, String> base) {
      SortedMap<String, String> files = new TreeMap<>(base);
      List<String> lines = new ArrayList<>(files.get(file).lines().toList());
      int at = Math.min(line, lines.size());
      if (replace && at < lines.size()) {
        String old = lines.get(at);
        int colon = old.indexOf(':');
        // Keep the key and its indentation so that the hostile value reaches a field reader.
        lines.set(at, colon >= 0 ? old.substring(0, colon + 1) + " " + text : text);
      } else {
        lines.add(at, text);
      }
      files.put(file, String.join("\n", lines) + "\n");
      return files;
    }
  }

  @Provide
  Arbitrary<Edit> definitions() {
    return Combinators.combine(
            Arbitraries.of(List.copyOf(BASE.keySet())),
            Arbitraries.integers().between(0, 20),
            Arbitraries.of(true, false),
            hostileValues())
        .as(Edit::new);
  }

  @Provide
  Arbitrary<String> templatePaths() {
    return Arbitraries.of(TEMPLATES);
  }

  static Arbitrary<String> hostileValues() {
    return Arbitraries.oneOf(
        Arbitraries.of(
            "# " + MARKER,
            "x: 1 # " + MARKER,
            "'{{ 7 * 7 }}'",
            "\"{% for i in range(1000) %}{% endfor %}\"",
            "\"\\u0000\"",
            "-1",
            "99999999999999999999",
            "0x10",
            "~",
            "''",
            "&a [*a]",
            "*nope",
            "!!binary aGVsbG8=",
            "!!java.lang.Object {}",
            "<<: *a",
            "{a: {b: {c: {d: [1, [2, [3]]]}}}}",
            "[" + "[".repeat(500) + "]".repeat(500) + "]",
            "\"" + "a".repeat(5000) + "\"",
            "'" + "é".repeat(300) + "'",
            "\"x\\ny: z\"",
            "- - - -",
            "\t: tab",
            "'*.example.com'",
            "[::1]:70000",
            "10.0.0.1:0",
            "1e309s",
            "PT5S",
            "5 s"),
        Arbitraries.strings().ofMaxLength(60).map(s -> s + " # " + MARKER),
        Arbitraries.strings().withChars(" \t:-[]{}&*!|>'\"%@`#,?~\\").ofMaxLength(30),
        Arbitraries.strings().withCharRange('a', 'z').withChars('.', '-', '*').ofMaxLength(300));
  }

  @Provide
  Arbitrary<String> templates() {
    Arbitrary<String> piece =
        Arbitraries.oneOf(
            Arbitraries.of(
                "- name: x\n",
                "{{ 'x' * 100000000 }}",
                "{{ 'x'|center(100000000) }}",
                "{{ service.name|q }}",
                "{{ mesh }}",
                "{{ ''.__class__ }}",
                "{{ service.getClass() }}",
                "{{ 1 / 0 }}",
                "{% include 'sidecar/clusters.yaml.j2' %}",
                "{% import 'common/mtls.j2' as m %}",
                "{% macro r(n) %}{{ r(n + 1) }}{% endmacro %}{{ r(0) }}",
                "{% set l = [] %}{% for i in range(1000) %}{% do l.append(l) %}{% endfor %}{{ l }}",
                "{% for i in range(1000) %}{% for j in range(1000) %}{% for k in range(1000) %}"
                    + "{{ k }}{% endfor %}{% endfor %}{% endfor %}",
                "{% raw %}",
                "{{",
                "{% if %}",
                "# " + MARKER + "\n",
                "{# " + MARKER + " #}",
                "  type: STATIC\n"),
            Arbitraries.strings().ofMaxLength(20));
    return piece.list().ofMinSize(1).ofMaxSize(4).map(p -> String.join("\n", p));
  }
}
