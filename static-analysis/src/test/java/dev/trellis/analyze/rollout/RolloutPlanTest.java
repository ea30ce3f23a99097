package dev.trellis.analyze.rollout;

import static dev.trellis.analyze.rollout.Meshes.MESH;
import static dev.trellis.analyze.rollout.Meshes.mesh;
import static dev.trellis.analyze.rollout.Meshes.service;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.analyze.rollout.RolloutPlan.Kind;
import dev.trellis.analyze.rollout.RolloutPlan.Step;
import dev.trellis.model.DefinitionTree;
import dev.trellis.model.Mesh;
import dev.trellis.model.load.DefinitionLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class RolloutPlanTest {

  private static final String HTTP = "protocol: http\nport: 8080";

  private static List<String> steps(Mesh mesh) {
    return steps(mesh, Optional.empty());
  }

  private static List<String> steps(Mesh mesh, Optional<AuditObservations> audit) {
    return RolloutPlan.of(mesh, audit).steps().stream()
        .map(s -> s.kind() + " " + s.service())
        .toList();
  }

  @Test
  void aCallerGetsItsSidecarBeforeItsCalleeGoesStrictThenEnforce() {
    Mesh m =
        mesh(
            MESH,
            service("api", HTTP, "sidecar: true", "mtls: permissive"),
            service("web", HTTP, "sidecar: true", "dependencies: [{name: api}]"),
            service("batch", HTTP, "dependencies: [{name: api}]"));
    // web and batch have no callers: strict at once, but not enforced.
    assertThat(steps(m))
        .containsExactly(
            "ADD_SIDECAR batch",
            "PERMISSIVE batch",
            "PERMISSIVE web",
            "STRICT api",
            "STRICT batch",
            "STRICT web",
            "ENFORCE api");
  }

  @Test
  void aCallerThatDeclaresStrictGetsItsSidecarAsPermissiveWhenItsOwnCallersAreNotReady() {
    Mesh m =
        mesh(
            MESH + "mtls: strict\n",
            service("api", HTTP, "sidecar: true", "mtls: permissive"),
            service("mid", HTTP, "dependencies: [{name: api}]"),
            service("legacy", HTTP, "mtls: disable", "dependencies: [{name: mid}]"));
    Step first = RolloutPlan.of(m, Optional.empty()).steps().get(0);
    assertThat(first)
        .isEqualTo(
            new Step(
                Kind.ADD_SIDECAR,
                "mid",
                "add a sidecar, with mtls: permissive",
                "it calls api in plaintext; with a sidecar it calls over mTLS (it declares strict,"
                    + " but not all of its own callers are ready)"));
    // mid goes strict only after legacy, which calls it, got its sidecar in the next round.
    assertThat(steps(m))
        .containsExactly(
            "ADD_SIDECAR mid",
            "STRICT api",
            "ENFORCE api",
            "ADD_SIDECAR legacy",
            "PERMISSIVE legacy",
            "STRICT legacy",
            "STRICT mid",
            "ENFORCE mid");
  }

  @Test
  void whatTheAuditSawKeepsAServiceAtAuditAndAServiceNobodyCallsIsNotEnforced() {
    Mesh m =
        mesh(
            MESH,
            service("api", HTTP, "sidecar: true", "mtls: strict"),
            service("web", HTTP, "sidecar: true", "mtls: strict", "dependencies: [{name: api}]"));
    AuditObservations audit =
        new AuditObservations(
            new TreeMap<>(
                Map.of("api", new TreeMap<>(Map.of("spiffe://td.example/service/cron", 5L)))));
    RolloutPlan plan = RolloutPlan.of(m, Optional.of(audit));
    assertThat(plan.steps()).isEmpty();
    assertThat(plan.blocked())
        .containsExactly(
            "api stays at authz: audit: its audit saw callers it does not allow:"
                + " spiffe://td.example/service/cron (5 calls); declare them as dependencies or"
                + " stop those calls",
            "web stays at authz: audit: nobody declares it as a dependency, so enforce would deny"
                + " every call; see what its audit counts first");
    assertThat(steps(m)).containsExactly("ENFORCE api");
  }

  @Test
  void theSampleMeshPlanIsCompleteAndEveryStepIsSafeWhenTaken() {
    Mesh sample =
        DefinitionLoader.load(DefinitionTree.fromDirectory(Path.of("..", "samples", "mesh")))
            .orElseThrow();
    RolloutPlan plan = RolloutPlan.of(sample, Optional.empty());
    // Applying a prefix of the plan never leaves a strict service with a caller that is not ready.
    Mesh current = sample;
    for (Step step : plan.steps()) {
      current = apply(current, step);
      for (var s : MtlsRollout.of(current).services().values()) {
        if (s.served() == dev.trellis.model.MtlsMode.STRICT) {
          assertThat(s.notReady()).as("after %s: callers of %s", step, s.name()).isEmpty();
        }
      }
    }
    assertThat(RolloutPlan.of(current, Optional.empty()).steps()).isEmpty();
    assertThat(plan.untouched()).containsExactly("fraud", "sessions", "shipping");
  }

  private static Mesh apply(Mesh mesh, Step step) {
    var services = new TreeMap<>(mesh.services());
    var s = services.get(step.service());
    boolean sidecar = s.sidecar() || step.kind() == Kind.ADD_SIDECAR;
    var mtls = s.mtls();
    if (step.change().endsWith("mtls: permissive") || step.kind() == Kind.PERMISSIVE) {
      mtls = Optional.of(dev.trellis.model.MtlsMode.PERMISSIVE);
    } else if (step.kind() == Kind.STRICT) {
      mtls = Optional.of(dev.trellis.model.MtlsMode.STRICT);
    }
    var authz = step.kind() == Kind.ENFORCE ? dev.trellis.model.AuthzMode.ENFORCE : s.authz();
    services.put(
        s.name(),
        new dev.trellis.model.ServiceDef(
            s.name(),
            s.owner(),
            s.protocol(),
            s.port(),
            sidecar,
            s.proxyless(),
            mtls,
            authz,
            s.endpoints(),
            s.dependencies(),
            s.edge(),
            s.provenance()));
    return new Mesh(mesh.config(), services, mesh.templateOverrides());
  }
}
