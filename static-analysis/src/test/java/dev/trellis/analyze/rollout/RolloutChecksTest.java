package dev.trellis.analyze.rollout;

import static dev.trellis.analyze.rollout.Meshes.MESH;
import static dev.trellis.analyze.rollout.Meshes.mesh;
import static dev.trellis.analyze.rollout.Meshes.service;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.analyze.Analyzer;
import dev.trellis.analyze.MeshCheck;
import dev.trellis.analyze.RuleRegistry;
import dev.trellis.model.Mesh;
import dev.trellis.render.RenderedMesh;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Each TRL4xx rule: a mesh that violates it, and the nearest one that does not. */
class RolloutChecksTest {

  private static List<String> findings(MeshCheck check, Mesh mesh) {
    Analyzer analyzer =
        new Analyzer(
            new RuleRegistry(List.of(), List.of(check), List.of()),
            com.google.protobuf.util.JsonFormat.TypeRegistry.getEmptyTypeRegistry());
    return analyzer.analyze(mesh, new RenderedMesh(mesh, new TreeMap<>())).findings().stream()
        .map(f -> f.ruleId() + " " + f.location() + " " + f.message())
        .toList();
  }

  private static final String HTTP = "protocol: http\nport: 8080";
  private static final String GRPC = "protocol: grpc\nport: 9090";

  @Nested
  class StrictCycle {
    @Test
    void aPlaintextCallInsideAStrictCycleIsReportedOnceForTheCycle() {
      Mesh m =
          mesh(
              MESH,
              service("a", HTTP, "sidecar: true", "mtls: strict", "dependencies: [{name: b}]"),
              service("b", HTTP, "sidecar: true", "mtls: strict", "dependencies: [{name: c}]"),
              service("c", HTTP, "mtls: strict", "dependencies: [{name: a}]"));
      assertThat(findings(new StrictCycleCheck(), m))
          .containsExactly(
              "TRL401 services/a.yaml:6:7 Services a, b, c call each other in a cycle and are all"
                  + " mtls: strict, but this call is plaintext and refused: c → a (it has no"
                  + " sidecar)");
    }

    @Test
    void aStrictCycleWhoseCallsAreAllMtlsIsFine() {
      Mesh m =
          mesh(
              MESH,
              service("a", HTTP, "sidecar: true", "mtls: strict", "dependencies: [{name: b}]"),
              service("b", HTTP, "sidecar: true", "mtls: strict", "dependencies: [{name: a}]"));
      assertThat(findings(new StrictCycleCheck(), m)).isEmpty();
      assertThat(StrictCycleCheck.strictCycles(m)).containsExactly(List.of("a", "b"));
    }
  }

  @Nested
  class ProxylessCallerAtDisable {
    @Test
    void isWarnedAbout() {
      Mesh m =
          mesh(
              MESH,
              service("api", GRPC, "sidecar: true", "mtls: strict"),
              service("recs", GRPC, "proxyless: true", "dependencies: [{name: api}]"));
      assertThat(findings(new ProxylessCallerCheck(), m))
          .containsExactly(
              "TRL402 services/api.yaml:6:7 Service 'api' is mtls: strict and its proxyless gRPC"
                  + " caller 'recs' is still mtls: disable: its calls work only if its bootstrap"
                  + " defines the certificate provider 'trellis' (else grpc-xds rejects the"
                  + " cluster and calls in plaintext, which is refused).");
    }

    @Test
    void aSidecarCallerAtDisableOrAProxylessCallerWithCertificatesIsFine() {
      Mesh m =
          mesh(
              MESH,
              service("api", GRPC, "sidecar: true", "mtls: strict"),
              service("web", HTTP, "sidecar: true", "dependencies: [{name: api}]"),
              service(
                  "recs", GRPC, "proxyless: true", "mtls: strict", "dependencies: [{name: api}]"));
      assertThat(findings(new ProxylessCallerCheck(), m)).isEmpty();
    }
  }

  @Nested
  class Enforce {
    @Test
    void aDeclaredCallerWithoutIdentityIsDenied() {
      Mesh m =
          mesh(
              MESH,
              service("api", HTTP, "sidecar: true", "mtls: permissive", "authz: enforce"),
              service("web", HTTP, "dependencies: [{name: api}]"));
      assertThat(findings(new EnforceCheck(Optional.empty()), m))
          .containsExactly(
              "TRL403 services/api.yaml:7:8 Service 'api' has authz: enforce, but its caller 'web'"
                  + " cannot present its identity (it has no sidecar): its calls are denied. Add a"
                  + " sidecar to 'web', or keep authz: audit.");
    }

    @Test
    void enforceWithoutMtlsDoesNothing() {
      Mesh m = mesh(MESH, service("api", HTTP, "sidecar: true", "authz: enforce"));
      assertThat(findings(new EnforceCheck(Optional.empty()), m))
          .containsExactly(
              "TRL404 services/api.yaml:6:8 Service 'api' has authz: enforce but serves no mTLS"
                  + " (mtls: disable): without identities no RBAC is rendered, so nothing is"
                  + " denied.");
    }

    private final Mesh ready =
        mesh(
            MESH,
            service("api", HTTP, "sidecar: true", "mtls: strict", "authz: enforce"),
            service("web", HTTP, "sidecar: true", "dependencies: [{name: api}]"));

    @Test
    void unknownCallersSeenByTheAuditBlockEnforce() {
      AuditObservations audit =
          new AuditObservations(
              new TreeMap<>(
                  Map.of(
                      "api",
                      new TreeMap<>(
                          Map.of(
                              "spiffe://td.example/service/web",
                              2L,
                              "spiffe://td.example/service/batch",
                              7L,
                              AuditObservations.UNAUTHENTICATED,
                              1L)))));
      assertThat(findings(new EnforceCheck(Optional.of(audit)), ready))
          .containsExactly(
              "TRL405 services/api.yaml:7:8 Service 'api' has authz: enforce, but its audit saw"
                  + " callers it does not allow: 'spiffe://td.example/service/batch' (7 calls),"
                  + " 'unauthenticated' (1 calls). Declare them as dependencies, or keep authz:"
                  + " audit.");
    }

    @Test
    void withoutAuditDataOrWithOnlyDeclaredCallersEnforceIsFine() {
      assertThat(findings(new EnforceCheck(Optional.empty()), ready)).isEmpty();
      AuditObservations declaredOnly =
          new AuditObservations(
              new TreeMap<>(
                  Map.of("api", new TreeMap<>(Map.of("spiffe://td.example/service/web", 3L)))));
      assertThat(findings(new EnforceCheck(Optional.of(declaredOnly)), ready)).isEmpty();
    }
  }

  @Nested
  class ModeNotServed {
    @Test
    void strictWithoutSidecarAndPermissiveProxylessAreReported() {
      Mesh m =
          mesh(
              MESH,
              service("api", HTTP, "mtls: strict"),
              service("recs", GRPC, "proxyless: true", "mtls: permissive"));
      assertThat(findings(new UnservedModeCheck(), m))
          .containsExactly(
              "TRL406 services/api.yaml:5:7 Service 'api' is mtls: strict, but nothing in front of"
                  + " it terminates TLS (no sidecar, not proxyless): callers reach it in"
                  + " plaintext.",
              "TRL406 services/recs.yaml:6:7 Service 'recs' is mtls: permissive, but it is a"
                  + " proxyless gRPC server, which cannot serve mTLS and plaintext on one port: it"
                  + " serves plaintext, and its callers send plaintext.");
    }

    @Test
    void servedModesAndTheMeshDefaultAreNot() {
      Mesh m =
          mesh(
              MESH + "mtls: strict\n",
              service("api", HTTP, "sidecar: true", "mtls: permissive"),
              service("legacy", HTTP),
              service("recs", GRPC, "proxyless: true", "mtls: strict"));
      assertThat(findings(new UnservedModeCheck(), m)).isEmpty();
    }
  }

  @Test
  void theSampleMeshHasNoRolloutFindings() {
    Mesh sample =
        dev.trellis.model.load.DefinitionLoader.load(
                dev.trellis.model.DefinitionTree.fromDirectory(
                    java.nio.file.Path.of("..", "samples", "mesh")))
            .orElseThrow();
    for (MeshCheck check :
        List.of(
            new StrictCycleCheck(),
            new ProxylessCallerCheck(),
            new EnforceCheck(Optional.empty()),
            new UnservedModeCheck())) {
      assertThat(findings(check, sample)).as(check.getClass().getSimpleName()).isEmpty();
    }
  }

  @Test
  void everyRolloutRuleIsInTheStandardRegistry() {
    assertThat(
            RuleRegistry.standard().rules().stream()
                .map(r -> r.id())
                .filter(id -> id.startsWith("TRL4")))
        .containsExactly("TRL401", "TRL402", "TRL403", "TRL404", "TRL405", "TRL406");
  }
}
