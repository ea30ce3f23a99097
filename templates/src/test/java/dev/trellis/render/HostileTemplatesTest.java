package dev.trellis.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.trellis.model.Mesh;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Templates written to hurt: endless loops, huge output, recursion. Each fails its render with a
 * located error within its budget instead of wedging the caller or passing with output missing.
 * Every render runs under a preemptive timeout, so a regression fails here instead of hanging.
 */
class HostileTemplatesTest {

  private static final String CLUSTERS = "sidecar/clusters.yaml.j2";
  private static final String LISTENERS = "sidecar/listeners.yaml.j2";

  /** 10^9 iterations: hours of rendering without a budget. */
  private static final String THREE_NESTED_RANGES =
      "- name: local_app\n"
          + "  type: STATIC\n"
          + "{% for i in range(1000) %}{% for j in range(1000) %}{% for k in range(1000) %}"
          + "{% endfor %}{% endfor %}{% endfor %}\n";

  /** Far more than any budget here: bounds a test that no budget stopped. */
  private static final Duration HANG = Duration.ofSeconds(60);

  private static RenderException failure(
      RenderLimits limits, UnaryOperator<MeshFixture> overrides) {
    Mesh mesh = overrides.apply(MeshFixture.shop()).build();
    MeshRenderer renderer = new MeshRenderer(limits);
    RenderException e =
        assertTimeoutPreemptively(
            HANG, () -> catchThrowableOfType(RenderException.class, () -> renderer.render(mesh)));
    assertThat(e).as("rendering should fail").isNotNull();
    return e;
  }

  private static RenderLimits timeout(Duration timeout) {
    return new RenderLimits(timeout, RenderLimits.DEFAULT.maxOutputBytes());
  }

  private static RenderLimits output(long bytes) {
    return new RenderLimits(RenderLimits.DEFAULT.timeout(), bytes);
  }

  @Test
  void defaultsAreTenSecondsAndSixteenMebibytesPerGroup() {
    assertThat(new MeshRenderer().limits())
        .isEqualTo(new RenderLimits(Duration.ofSeconds(10), 16L * 1024 * 1024));
    assertThat(RenderLimits.DEFAULT.timeoutText()).isEqualTo("10s");
    assertThat(RenderLimits.DEFAULT.outputText()).isEqualTo("16MiB");
    assertThat(new RenderLimits(Duration.ofMillis(1500), 100).timeoutText()).isEqualTo("1500ms");
    assertThat(new RenderLimits(Duration.ofMinutes(2), 512 * 1024).outputText())
        .isEqualTo("512KiB");
    assertThatThrownBy(() -> new RenderLimits(Duration.ZERO, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("render timeout must be positive, got PT0S");
    assertThatThrownBy(() -> new RenderLimits(Duration.ofSeconds(1), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("render output budget must be positive, got 0");
  }

  @Test
  void threeNestedRangesFailWithinTheDefaultBudget() {
    long started = System.nanoTime();
    RenderException e =
        failure(RenderLimits.DEFAULT, f -> f.override(CLUSTERS, THREE_NESTED_RANGES));
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    assertThat(e.overBudget()).isTrue();
    assertThat(e.errors())
        .singleElement()
        .asString()
        .startsWith(
            "templates/sidecar/clusters.yaml.j2:3: render exceeded 10s time budget"
                + " (--render-timeout) (group");
    // One budget, not one per group: the groups not yet started are never rendered.
    assertThat(took).isBetween(Duration.ofSeconds(10), Duration.ofSeconds(30));
  }

  @Test
  void theFirstGroupOverBudgetStopsTheOthers() {
    Duration budget = Duration.ofSeconds(2);
    long started = System.nanoTime();
    RenderException e = failure(timeout(budget), f -> f.override(CLUSTERS, THREE_NESTED_RANGES));
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    // Five sidecar groups render this template; one after the other they would take five
    // budgets, two at a time (this machine) three.
    RenderError error = e.errors().get(0);
    assertThat(e.errors()).hasSize(1);
    assertThat(error.message()).isEqualTo("render exceeded 2s time budget (--render-timeout)");
    assertThat(error.groups())
        .hasSizeBetween(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    assertThat(took).isLessThan(budget.multipliedBy(2).plusSeconds(1));
    // The groups that never got to the template are neither errors nor rendered.
    RenderedMesh partial = e.partial().orElseThrow();
    assertThat(partial.groups().keySet()).doesNotContainAnyElementsOf(error.groups());
    assertThat(partial.groups()).doesNotContainKeys("catalog", "inventory", "admin", "orders");
  }

  @Test
  void aLoopInsideAMacroIsStoppedToo() {
    // The deadline passes inside the macro, whose call Jinjava wraps in an error of its own.
    String template =
        "{% macro spin() %}{% for i in range(1000) %}{% for j in range(1000) %}x"
            + "{% endfor %}{% endfor %}{% endmacro %}"
            + "- name: local_app\n"
            + "  type: STATIC\n"
            + "{% for i in range(1000) %}# {{ spin()|length }}\n{% endfor %}";
    RenderException e =
        failure(timeout(Duration.ofSeconds(1)), f -> f.override(CLUSTERS, template));

    assertThat(e.overBudget()).isTrue();
    assertThat(e.errors())
        .singleElement()
        .asString()
        .matches(
            "templates/sidecar/clusters.yaml.j2:\\d+: render exceeded 1s time budget"
                + " \\(--render-timeout\\) \\(groups? .*\\)");
  }

  @Test
  void aLoopInAnIncludedTemplateNamesThatTemplate() {
    RenderException e =
        failure(
            timeout(Duration.ofSeconds(1)),
            f ->
                f.override("common/spin.j2", "\n" + THREE_NESTED_RANGES)
                    .override(
                        CLUSTERS,
                        "- name: local_app\n  type: STATIC\n{% include 'common/spin.j2' %}\n"));

    assertThat(e.errors())
        .singleElement()
        .asString()
        .startsWith(
            "templates/common/spin.j2:4: render exceeded 1s time budget (--render-timeout)");
  }

  @Test
  void outputOverTheBudgetFails() {
    String template =
        "- name: local_app\n  type: STATIC\n"
            + "{% for i in range(1000) %}{% for j in range(100) %}# xxxxxxxx\n"
            + "{% endfor %}{% endfor %}";
    RenderException e = failure(output(64 * 1024), f -> f.override(CLUSTERS, template));

    assertThat(e.overBudget()).isTrue();
    assertThat(e.errors())
        .singleElement()
        .asString()
        .startsWith(
            "templates/sidecar/clusters.yaml.j2:4: render output exceeded 64KiB budget"
                + " (--render-max-output) (group");
  }

  @Test
  void theOutputBudgetIsForTheGroupsTemplatesTogether() {
    // 40,000 characters each: within 64 KiB alone, over it together.
    String comments =
        "{% for i in range(1000) %}# 0123456789012345678901234567890123456\n{% endfor %}";
    RenderException e =
        failure(
            output(64 * 1024),
            f ->
                f.override(CLUSTERS, "- name: local_app\n  type: STATIC\n" + comments)
                    .override(LISTENERS, "[]\n" + comments));

    assertThat(e.errors())
        .singleElement()
        .asString()
        .startsWith(
            "templates/sidecar/listeners.yaml.j2:3: render output exceeded 64KiB budget"
                + " (--render-max-output) (group");
  }

  @Test
  void aStringLongerThanTheOutputBudgetFails() {
    String template =
        "{% set s = 'x' %}{% for i in range(30) %}{% set s = s ~ s %}{% endfor %}"
            + "- name: local_app\n  type: STATIC\n";
    RenderException e = failure(output(1 << 20), f -> f.override(CLUSTERS, template));

    assertThat(e.overBudget()).isTrue();
    assertThat(e.errors())
        .singleElement()
        .asString()
        .startsWith(
            "templates/sidecar/clusters.yaml.j2:1: render output exceeded 1MiB budget"
                + " (--render-max-output) (group");
  }

  @Test
  void aRecursiveMacroIsAnErrorNotEmptyOutput() {
    String template =
        "{% macro tree(n) %}{{ tree(n) }}{% endmacro %}\n"
            + "- name: local_app\n"
            + "  type: STATIC\n"
            + "# {{ tree(1) }}\n";
    RenderException e = failure(RenderLimits.DEFAULT, f -> f.override(CLUSTERS, template));

    assertThat(e.overBudget()).isFalse();
    assertThat(e.errors())
        .extracting(RenderError::toString)
        .containsExactly(
            "templates/sidecar/clusters.yaml.j2:4: macro 'tree' calls itself; recursive macros are"
                + " not allowed (groups 'admin', 'catalog', 'inventory' and 2 more)");
  }

  @Test
  void aTemplateIncludingItselfIsAnError() {
    RenderException e =
        failure(
            RenderLimits.DEFAULT,
            f ->
                f.override("common/loop.j2", "# loop\n{% include 'common/loop.j2' %}\n")
                    .override(
                        CLUSTERS,
                        "- name: local_app\n  type: STATIC\n{% include 'common/loop.j2' %}\n"));

    assertThat(e.errors())
        .extracting(RenderError::toString)
        .singleElement()
        .asString()
        .isEqualTo(
            "templates/common/loop.j2:2: Include cycle detected for path: 'common/loop.j2';"
                + " recursive includes and imports are not allowed (groups 'admin', 'catalog',"
                + " 'inventory' and 2 more)");
  }

  @Test
  void aRendererStaysUsableAfterABudgetFailure() {
    MeshRenderer renderer = new MeshRenderer(timeout(Duration.ofSeconds(1)));
    Mesh hostile = MeshFixture.shop().override(CLUSTERS, THREE_NESTED_RANGES).build();
    assertTimeoutPreemptively(
        HANG,
        () ->
            assertThatThrownBy(() -> renderer.render(hostile)).isInstanceOf(RenderException.class));

    RenderedMesh good =
        assertTimeoutPreemptively(HANG, () -> renderer.render(MeshFixture.shop().build()));

    assertThat(good.groups()).containsKeys("catalog", "inventory");
    assertThat(List.copyOf(good.groups().keySet()))
        .isEqualTo(
            MeshRenderer.groups(MeshFixture.shop().build()).stream().map(ProxyGroup::id).toList());
  }
}
