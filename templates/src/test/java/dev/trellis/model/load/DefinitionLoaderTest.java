package dev.trellis.model.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trellis.model.AuthzMode;
import dev.trellis.model.DefinitionTree;
import dev.trellis.model.Dependency;
import dev.trellis.model.EdgeExposure;
import dev.trellis.model.Endpoints;
import dev.trellis.model.Gateway;
import dev.trellis.model.HostPort;
import dev.trellis.model.KubernetesRef;
import dev.trellis.model.Mesh;
import dev.trellis.model.MeshConfig;
import dev.trellis.model.MtlsMode;
import dev.trellis.model.Protocol;
import dev.trellis.model.ServiceAccountBinding;
import dev.trellis.model.ServiceDef;
import dev.trellis.model.SourceLocation;
import dev.trellis.model.TrafficPolicy;
import dev.trellis.model.XdsClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class DefinitionLoaderTest {

  static final Path VALID = Path.of("src/test/resources/definitions/valid");
  static final String HOST_HELP =
      " (dot-separated labels of lowercase letters, digits and '-', the last not all digits, or an"
          + " IPv4 address; a leading '*.' is allowed)";

  /** A tree from alternating paths and texts. */
  static DefinitionTree tree(String... pathsAndTexts) {
    Map<String, String> files = new TreeMap<>();
    for (int i = 0; i < pathsAndTexts.length; i += 2) {
      files.put(pathsAndTexts[i], pathsAndTexts[i + 1]);
    }
    return new DefinitionTree(new TreeMap<>(files));
  }

  static List<String> errors(String... pathsAndTexts) {
    LoadResult result = DefinitionLoader.load(tree(pathsAndTexts));
    assertThat(result.mesh()).isEmpty();
    return result.errors().stream().map(LoadError::toString).toList();
  }

  static Mesh mesh(String... pathsAndTexts) {
    return DefinitionLoader.load(tree(pathsAndTexts)).orElseThrow();
  }

  /** A valid service file's text with the required fields, then {@code more} lines. */
  static String service(String name, String... more) {
    return "name: "
        + name
        + "\nowner: team-"
        + name
        + "\nprotocol: http\nport: 8080\n"
        + String.join("\n", more)
        + (more.length > 0 ? "\n" : "");
  }

  @Nested
  class ValidDefinitions {

    final Mesh mesh = DefinitionLoader.load(DefinitionTree.fromDirectory(VALID)).orElseThrow();

    @Test
    void meshSettingsAreRead() {
      MeshConfig c = mesh.config();
      assertThat(c.name()).isEqualTo("shop");
      assertThat(c.trustDomain()).isEqualTo("shop.example.org");
      assertThat(c.mtlsDefault()).isEqualTo(MtlsMode.PERMISSIVE);
      assertThat(c.inboundPort()).isEqualTo(15106);
      assertThat(c.outboundPort()).isEqualTo(15101);
      assertThat(c.gateways())
          .containsExactly(new Gateway("public", 8443, 8080), new Gateway("partners", 9443, 9080));
    }

    @Test
    void servicesAreKeyedByNameWhateverTheirDirectoryAndExtension() {
      assertThat(mesh.services()).containsOnlyKeys("audit", "ledger", "payments");
    }

    @Test
    void everyServiceFieldIsRead() {
      ServiceDef p = mesh.service("payments").orElseThrow();
      assertThat(p.owner()).isEqualTo("team-payments");
      assertThat(p.protocol()).isEqualTo(Protocol.HTTP);
      assertThat(p.port()).isEqualTo(8080);
      assertThat(p.sidecar()).isTrue();
      assertThat(p.mtls()).contains(MtlsMode.STRICT);
      assertThat(p.authz()).isEqualTo(AuthzMode.ENFORCE);
      assertThat(p.endpoints().staticEndpoints())
          .containsExactly(new HostPort("10.0.0.7", 8080), new HostPort("10.0.0.8", 8080));
      assertThat(p.endpoints().kubernetes()).isEmpty();
      assertThat(p.dependencies())
          .containsExactly(
              new Dependency("ledger", Optional.of(Duration.ofSeconds(2)), 2),
              new Dependency("audit", TrafficPolicy.NONE));
      assertThat(p.edge())
          .contains(
              new EdgeExposure(
                  "public",
                  List.of("pay.example.com", "*.pay.example.com"),
                  List.of("/api/pay", "/api/refund")));
    }

    @Test
    void optionalFieldsTakeTheirDefaults() {
      ServiceDef ledger = mesh.service("ledger").orElseThrow();
      assertThat(ledger.sidecar()).isFalse();
      assertThat(ledger.mtls()).isEmpty();
      assertThat(ledger.proxyless()).isFalse();
      assertThat(ledger.authz()).isEqualTo(AuthzMode.AUDIT);
      assertThat(mesh.mtlsOf(ledger)).isEqualTo(MtlsMode.PERMISSIVE);
      assertThat(ledger.dependencies())
          .containsExactly(
              new Dependency(
                  "audit",
                  new TrafficPolicy(
                      Optional.of(Duration.ofMillis(500)),
                      TrafficPolicy.Retries.NONE,
                      TrafficPolicy.CircuitBreakers.NONE,
                      TrafficPolicy.OutlierDetection.NONE,
                      Optional.empty())));
      assertThat(ledger.edge().orElseThrow().paths()).containsExactly("/");
      assertThat(mesh.service("audit").orElseThrow().edge()).isEmpty();
    }

    @Test
    void endpointsMayBeKubernetesOrStaticWithZones() {
      assertThat(mesh.service("ledger").orElseThrow().endpoints())
          .isEqualTo(
              new Endpoints(List.of(), Optional.of(new KubernetesRef("core", "ledger-grpc"))));
      assertThat(mesh.service("audit").orElseThrow().endpoints().staticEndpoints())
          .containsExactly(
              new HostPort("audit-1.internal", 5432, "eu-west-1a"), new HostPort("10.0.1.9", 5432));
    }

    @Test
    void templateOverridesAreKeyedByPathBelowTemplates() {
      assertThat(mesh.templateOverrides()).containsOnlyKeys("sidecar/clusters.yaml.jinja");
      assertThat(mesh.templateOverrides().get("sidecar/clusters.yaml.jinja"))
          .contains("clusters: []");
    }

    @Test
    void provenanceLocatesEveryFieldPathRead() {
      var p = mesh.service("payments").orElseThrow().provenance();
      assertThat(p.file()).isEqualTo("services/payments.yaml");
      assertThat(p.locate("")).isEqualTo(at("services/payments.yaml", 1, 1));
      assertThat(p.locate("port")).isEqualTo(at("services/payments.yaml", 4, 7));
      assertThat(p.locate("dependencies")).isEqualTo(at("services/payments.yaml", 10, 3));
      assertThat(p.locate("dependencies[0]")).isEqualTo(at("services/payments.yaml", 10, 5));
      assertThat(p.locate("dependencies[0].name")).isEqualTo(at("services/payments.yaml", 10, 11));
      assertThat(p.locate("dependencies[0].timeout"))
          .isEqualTo(at("services/payments.yaml", 11, 14));
      assertThat(p.locate("dependencies[1].name")).isEqualTo(at("services/payments.yaml", 13, 11));
      assertThat(p.locate("endpoints.static[1]")).isEqualTo(at("services/payments.yaml", 8, 29));
      assertThat(p.locate("edge.gateway")).isEqualTo(at("services/payments.yaml", 15, 12));
      assertThat(p.locate("edge.hosts[1]")).isEqualTo(at("services/payments.yaml", 16, 30));
      assertThat(p.locate("edge.paths[0]")).isEqualTo(at("services/payments.yaml", 17, 11));
      // Not written: the nearest written ancestor.
      assertThat(p.locate("dependencies[1].timeout"))
          .isEqualTo(at("services/payments.yaml", 13, 5));
    }

    @Test
    void meshProvenanceLocatesGateways() {
      var p = mesh.config().provenance();
      assertThat(p.file()).isEqualTo("mesh.yaml");
      assertThat(p.locate("gateways[1].name")).isEqualTo(at("mesh.yaml", 10, 11));
      assertThat(p.locate("gateways[1].httpPort")).isEqualTo(at("mesh.yaml", 12, 15));
      assertThat(p.locate("sidecar.inboundPort")).isEqualTo(at("mesh.yaml", 6, 16));
    }

    @Test
    void loadingTheSameTreeTwiceGivesEqualMeshes() {
      assertThat(DefinitionLoader.load(DefinitionTree.fromDirectory(VALID)).orElseThrow())
          .isEqualTo(mesh);
    }
  }

  static SourceLocation at(String file, int line, int column) {
    return new SourceLocation(file, line, column);
  }

  @Nested
  class Minimal {

    @Test
    void anEmptyTreeIsAnEmptyMeshWithTheDefaults() {
      Mesh mesh = mesh();
      assertThat(mesh.services()).isEmpty();
      assertThat(mesh.config()).isEqualTo(MeshConfig.defaults());
    }

    @Test
    void meshYamlIsOptionalAndItsFieldsToo() {
      MeshConfig d = MeshConfig.defaults();
      MeshConfig c = mesh("mesh.yaml", "name: shop\n", "services/a.yaml", service("a")).config();
      assertThat(c.name()).isEqualTo("shop");
      assertThat(c.trustDomain()).isEqualTo(d.trustDomain());
      assertThat(c.mtlsDefault()).isEqualTo(d.mtlsDefault());
      assertThat(c.inboundPort()).isEqualTo(d.inboundPort());
      assertThat(c.outboundPort()).isEqualTo(d.outboundPort());
      assertThat(mesh("mesh.yaml", "{}\n").config().name()).isEqualTo(d.name());
    }

    @Test
    void serviceAccountsBindAccountsToServicesAndGatewaysAndNoOthers() {
      MeshConfig c =
          mesh(
                  "mesh.yaml",
                  "gateways:\n  - name: public\nserviceAccounts:\n"
                      + "  - {namespace: shop, name: payments-sa, service: payments}\n"
                      + "  - {namespace: edge, name: envoy.edge, service: public}\n",
                  "services/payments.yaml",
                  service("payments"))
              .config();

      assertThat(c.serviceAccounts())
          .containsExactly(
              new ServiceAccountBinding("shop", "payments-sa", "payments"),
              new ServiceAccountBinding("edge", "envoy.edge", "public"));
      assertThat(c.serviceOf("shop", "payments-sa")).contains("payments");
      assertThat(c.serviceOf("edge", "envoy.edge")).contains("public");
      // Listed: an account left out, or the right name in another namespace, stands for nothing.
      assertThat(c.serviceOf("other", "payments-sa")).isEmpty();
      assertThat(c.serviceOf("shop", "payments")).isEmpty();
    }

    @Test
    void withoutServiceAccountsAnAccountStandsForItsNamesake() {
      MeshConfig c = mesh("services/payments.yaml", service("payments")).config();

      assertThat(c.serviceAccounts()).isEmpty();
      assertThat(c.serviceOf("any", "payments")).contains("payments");
    }

    @Test
    void gatewayPortsDefaultTo8443And8080() {
      assertThat(mesh("mesh.yaml", "gateways: [{name: edge}]\n").config().gateways())
          .containsExactly(new Gateway("edge", 8443, 8080));
    }

    @Test
    void filesOutsideTheDefinitionDirectoriesAreIgnored() {
      assertThat(mesh("README.md", "# not yaml: [", "services/a.yaml", service("a")).services())
          .containsOnlyKeys("a");
    }

    @Test
    void aliasesAreFollowed() {
      assertThat(
              errors(
                  "mesh.yaml",
                  "gateways: [{name: edge}]\n",
                  "services/a.yaml",
                  service(
                      "a",
                      "edge:",
                      "  gateway: edge",
                      "  hosts: &h [a.example.com]",
                      "  paths: *h")))
          .containsExactly(
              "services/a.yaml:7:14: edge.paths[0]: 'a.example.com' does not start with '/'");
    }
  }

  @Nested
  class Errors {

    @Test
    void unknownFieldNamesItsPlaceAndTheFieldsExpectedThere() {
      assertThat(
              errors(
                  "services/payments.yaml",
                  service(
                      "payments", "dependencies:", "- name: ledger", "  retrys: 2", "colour: red"),
                  "services/ledger.yaml",
                  service("ledger")))
          .containsExactly(
              "services/payments.yaml:7:3: unknown field 'retrys' in dependencies[0] (expected one"
                  + " of: name, timeout, retries, circuitBreakers, outlierDetection, lb; did you mean 'retries'?)",
              "services/payments.yaml:8:1: unknown field 'colour' (expected one of: name, owner,"
                  + " protocol, port, sidecar, proxyless, clients, mtls, authz, endpoints, dependencies,"
                  + " edge)");
    }

    @Test
    void errorsCarryTheFieldPath() {
      LoadResult result =
          DefinitionLoader.load(
              tree(
                  "services/a.yaml",
                  service("a", "dependencies:", "  - name: a", "    retries: x")));
      assertThat(result.errors())
          .extracting(LoadError::field)
          .containsExactly("dependencies[0].name", "dependencies[0].retries");
    }

    @Test
    void duplicateKeysPointAtTheSecondAndNameTheFirst() {
      assertThat(errors("services/a.yaml", service("a", "port: 9090")))
          .containsExactly("services/a.yaml:5:1: duplicate field 'port' (first at line 4)");
      assertThat(errors("services/a.yaml", service("a", "edge: {gateway: x, gateway: y}")))
          .contains("services/a.yaml:5:20: duplicate field 'gateway' in edge (first at column 8)");
    }

    @Test
    void wrongTypesSayWhatWasExpectedAndWhatWasFound() {
      assertThat(
              errors(
                  "services/a.yaml",
                  "name: a\nowner: {team: x}\nprotocol: [http]\nport: \"abc\"\nsidecar: yes-please\n"))
          .containsExactly(
              "services/a.yaml:2:8: owner: expected a string, got a mapping",
              "services/a.yaml:3:11: protocol: expected one of: http, grpc, tcp; got a list",
              "services/a.yaml:4:7: port: expected an integer, got 'abc'",
              "services/a.yaml:5:10: sidecar: expected true or false, got 'yes-please'");
    }

    @Test
    void onlyDecimalIntegersAndLowercaseBooleansAreAccepted() {
      assertThat(
              errors(
                  "services/a.yaml",
                  "name: a\nowner: o\nprotocol: tcp\nport: 0x1F90\nsidecar: on\n"))
          .containsExactly(
              "services/a.yaml:4:7: port: expected an integer, got '0x1F90'",
              "services/a.yaml:5:10: sidecar: expected true or false, got 'on'");
      assertThat(
              errors(
                  "services/a.yaml",
                  "name: a\nowner: o\nprotocol: tcp\nport: 1_000\nsidecar: 'true'\n"))
          .containsExactly(
              "services/a.yaml:4:7: port: expected an integer, got '1_000'",
              "services/a.yaml:5:10: sidecar: expected true or false, got the quoted string 'true'"
                  + " (remove the quotes)");
    }

    @Test
    void portsAndRetriesHaveRanges() {
      assertThat(
              errors(
                  "services/a.yaml",
                  "name: a\nowner: o\nprotocol: http\nport: 123456789012345678\n"
                      + "dependencies: [{name: b, retries: 11}]\n",
                  "services/b.yaml",
                  service("b")))
          .containsExactly(
              "services/a.yaml:4:7: port: 123456789012345678 is out of range (1-65535)",
              "services/a.yaml:5:35: dependencies[0].retries: 11 is out of range (0-10)");
    }

    @Test
    void enumValuesListTheAllowedOnes() {
      assertThat(errors("services/a.yaml", service("a", "mtls: STRICT")))
          .containsExactly(
              "services/a.yaml:5:7: mtls: invalid value 'STRICT' (expected one of: disable,"
                  + " permissive, strict; did you mean 'strict'?)");
    }

    @Test
    void authzIsAuditOrEnforce() {
      assertThat(errors("services/a.yaml", service("a", "authz: deny")))
          .containsExactly(
              "services/a.yaml:5:8: authz: invalid value 'deny' (expected one of: audit,"
                  + " enforce)");
    }

    @Test
    void aServiceIsNotBothBehindASidecarAndProxyless() {
      assertThat(errors("services/a.yaml", service("a", "sidecar: true", "proxyless: true")))
          .containsExactly(
              "services/a.yaml:6:12: proxyless: a service is either behind a sidecar or"
                  + " proxyless, not both");
    }

    @Test
    void aProxylessServiceMayNarrowItsClients() {
      assertThat(servedClients(service("a", "proxyless: true", "clients: [grpc-node, grpc-core]")))
          .containsExactly(XdsClient.GRPC_NODE, XdsClient.GRPC_CORE);
      assertThat(servedClients(service("a", "proxyless: true"))).isEqualTo(XdsClient.GRPC);
      assertThat(servedClients(service("a"))).containsExactly(XdsClient.ENVOY);
    }

    private List<XdsClient> servedClients(String serviceA) {
      return mesh("services/a.yaml", serviceA).service("a").orElseThrow().servedClients();
    }

    @Test
    void clientsAreKnownGrpcClientsOfAProxylessService() {
      assertThat(
              errors(
                  "services/a.yaml",
                  service("a", "proxyless: true", "clients: [grpc-nod, envoy, grpc-go, grpc-go]")))
          .containsExactly(
              "services/a.yaml:6:11: clients[0]: invalid value 'grpc-nod' (expected one of:"
                  + " grpc-java, grpc-node, grpc-core, grpc-go; did you mean 'grpc-node'?)",
              "services/a.yaml:6:21: clients[1]: invalid value 'envoy' (expected one of:"
                  + " grpc-java, grpc-node, grpc-core, grpc-go)",
              "services/a.yaml:6:37: clients[3]: duplicate client 'grpc-go' (first at column 28)");
      assertThat(errors("services/a.yaml", service("a", "sidecar: true", "clients: [grpc-java]")))
          .containsExactly(
              "services/a.yaml:6:10: clients: only a proxyless service names its gRPC clients;"
                  + " this service is served through Envoy");
      assertThat(errors("services/a.yaml", service("a", "proxyless: true", "clients: []")))
          .containsExactly("services/a.yaml:6:10: clients: must not be empty");
    }

    @Test
    void namesMustBeDnsLabelsMatchingTheFileName() {
      String tooLong = "a".repeat(64);
      assertThat(
              errors(
                  "services/" + tooLong + ".yaml",
                  service(tooLong),
                  "services/b.yaml",
                  service("bee"),
                  "services/c_d.yaml",
                  service("c_d")))
          .containsExactly(
              "services/"
                  + tooLong
                  + ".yaml:1:7: name: '"
                  + "a".repeat(64)
                  + "' is not a DNS label (lowercase letters, digits and '-', starting and ending"
                  + " with a letter or digit, at most 63 characters)",
              "services/b.yaml:1:7: name: 'bee' does not match the file name 'b.yaml'",
              "services/c_d.yaml:1:7: name: 'c_d' is not a DNS label (lowercase letters, digits"
                  + " and '-', starting and ending with a letter or digit, at most 63 characters)");
      assertThat(mesh("services/" + "a".repeat(63) + ".yaml", service("a".repeat(63))).services())
          .hasSize(1);
    }

    @Test
    void missingRequiredFieldsAreReportedAtTheMappingInFieldOrder() {
      assertThat(errors("services/a.yaml", "# a service\nsidecar: true\n"))
          .containsExactly(
              "services/a.yaml:2:1: missing required field 'name'",
              "services/a.yaml:2:1: missing required field 'owner'",
              "services/a.yaml:2:1: missing required field 'protocol'",
              "services/a.yaml:2:1: missing required field 'port'");
    }

    @Test
    void dependencyProblemsPointAtTheDependencyName() {
      assertThat(
              errors(
                  "services/a.yaml",
                  service(
                      "a",
                      "dependencies:",
                      "  - name: b",
                      "  - name: a",
                      "  - name: c",
                      "  - name: b"),
                  "services/b.yaml",
                  service("b")))
          .containsExactly(
              "services/a.yaml:7:11: dependencies[1].name: service 'a' cannot depend on itself",
              "services/a.yaml:8:11: dependencies[2].name: unknown service 'c' (no file under"
                  + " services/ defines it)",
              "services/a.yaml:9:11: dependencies[3].name: duplicate dependency 'b' (first at line"
                  + " 6)");
    }

    @Test
    void aServiceWhoseFileDoesNotParseCanStillBeDependedOn() {
      assertThat(
              errors(
                  "services/a.yaml",
                  service("a", "dependencies: [{name: b}]"),
                  "services/b.yaml",
                  "name: b\n  port: 1\n"))
          .containsExactly(
              "services/b.yaml:2:7: invalid YAML: mapping values are not allowed here"
                  + " (likely the indentation: this line is indented more than the key above it,"
                  + " which already has a value; or a value containing ': ' that needs quotes)");
    }

    @Test
    void twoServicesWithOneNameAreReportedAtTheLaterFile() {
      assertThat(
              errors(
                  "services/a.yaml", service("a"),
                  "services/team/a.yml", service("a")))
          .containsExactly(
              "services/team/a.yml:1:7: name: service 'a' is already defined in services/a.yaml");
    }

    @Test
    void edgeGatewaysMustBeDeclaredInMeshYaml() {
      String svc = service("a", "edge:", "  gateway: public", "  hosts: [a.example.com]");
      assertThat(errors("services/a.yaml", svc))
          .containsExactly(
              "services/a.yaml:6:12: edge.gateway: unknown gateway 'public' (mesh.yaml declares no"
                  + " gateways)");
      assertThat(
              errors(
                  "mesh.yaml", "gateways: [{name: edge}, {name: api}]\n", "services/a.yaml", svc))
          .containsExactly(
              "services/a.yaml:6:12: edge.gateway: unknown gateway 'public' (mesh.yaml declares:"
                  + " edge, api)");
    }

    @Test
    void gatewayReferencesAreNotCheckedWhenTheGatewayListIsBroken() {
      String svc = service("a", "edge:", "  gateway: public", "  hosts: [a.example.com]");
      assertThat(errors("mesh.yaml", "gateways: [{httpPort: 80}]\n", "services/a.yaml", svc))
          .containsExactly("mesh.yaml:1:12: missing required field 'name' in gateways[0]");
      assertThat(errors("mesh.yaml", "gateways: [\n", "services/a.yaml", svc)).hasSize(1);
    }

    @Test
    void gatewaysAndServicesNeedDistinctNames() {
      assertThat(errors("mesh.yaml", "gateways:\n  - name: a\n", "services/a.yaml", service("a")))
          .containsExactly(
              "mesh.yaml:2:11: gateways[0].name: gateway 'a' has the name of the service in"
                  + " services/a.yaml (gateways and services need distinct names)");
    }

    @Test
    void edgeHostsAreHostnamesWithAnOptionalWildcard() {
      String mesh = "gateways: [{name: gw}]\n";
      assertThat(
              mesh(
                      "mesh.yaml",
                      mesh,
                      "services/a.yaml",
                      service(
                          "a",
                          "edge: {gateway: gw, hosts: ['*.a.example.com', a.example.com, 10.1.2.3]}"))
                  .service("a")
                  .orElseThrow()
                  .edge()
                  .orElseThrow()
                  .hosts())
          .containsExactly("*.a.example.com", "a.example.com", "10.1.2.3");
      assertThat(
              errors(
                  "mesh.yaml",
                  mesh,
                  "services/a.yaml",
                  service(
                      "a",
                      "edge: {gateway: gw, hosts: ['a.example.com\"', '-a.example.com', a.b.123]}")))
          .containsExactly(
              "services/a.yaml:5:29: edge.hosts[0]: 'a.example.com\"' is not a valid hostname"
                  + HOST_HELP,
              "services/a.yaml:5:47: edge.hosts[1]: '-a.example.com' is not a valid hostname"
                  + HOST_HELP,
              "services/a.yaml:5:65: edge.hosts[2]: 'a.b.123' is not a valid hostname" + HOST_HELP);
    }

    @Test
    void edgePathsAreAbsoluteAndUseASafeCharset() {
      String mesh = "gateways: [{name: gw}]\n";
      assertThat(
              errors(
                  "mesh.yaml",
                  mesh,
                  "services/a.yaml",
                  service(
                      "a",
                      "edge:",
                      "  gateway: gw",
                      "  hosts: [a.example.com]",
                      "  paths: [/ok/%2F/x-y_z.~, pay, '/a: b', \"/\\u0007\", /50%]")))
          .containsExactly(
              "services/a.yaml:8:28: edge.paths[1]: 'pay' does not start with '/'",
              "services/a.yaml:8:33: edge.paths[2]: '/a: b' contains ':' (allowed: letters, digits,"
                  + " '/', '-', '.', '_', '~' and %XX escapes)",
              "services/a.yaml:8:42: edge.paths[3]: '/\\u0007' contains '\\u0007' (allowed: letters,"
                  + " digits, '/', '-', '.', '_', '~' and %XX escapes)",
              "services/a.yaml:8:53: edge.paths[4]: '/50%' has a '%' not followed by two hex digits");
    }

    @Test
    void durationsTakeOneUnit() {
      String b = service("b");
      assertThat(
              mesh(
                      "services/a.yaml",
                      service("a", "dependencies: [{name: b, timeout: 90s}]"),
                      "services/b.yaml",
                      b)
                  .service("a")
                  .orElseThrow()
                  .dependencies()
                  .get(0)
                  .timeout())
          .contains(Duration.ofSeconds(90));
      assertThat(
              errors(
                  "services/a.yaml",
                  service("a", "dependencies: [{name: b, timeout: 2sec}]"),
                  "services/b.yaml",
                  b))
          .containsExactly(
              "services/a.yaml:5:35: dependencies[0].timeout: '2sec' is not a duration (a positive"
                  + " whole number followed by ms, s, m or h, e.g. 500ms, 2s, 1m)");
    }

    @Test
    void malformedYamlIsReportedAtTheParsersMarkAndOtherFilesStillLoad() {
      assertThat(
              errors(
                  "services/a.yaml",
                  "name: a\nowner: [x\n",
                  "services/b.yaml",
                  service("b", "port: 1")))
          .containsExactly(
              "services/a.yaml:3:1: invalid YAML: expected ',' or ']', but got <stream end> (while"
                  + " parsing a flow sequence started at line 2, column 8)",
              "services/b.yaml:5:1: duplicate field 'port' (first at line 4)");
    }

    @Test
    void controlCharactersAreASyntaxErrorAtTheirPosition() {
      assertThat(errors("services/a.yaml", "name: a\nowner: x\u0001y\n"))
          .containsExactly(
              "services/a.yaml:2:9: invalid YAML: character U+0001 is not allowed in YAML text");
    }

    @Test
    void servicesFilesMustBeYamlAndNotEmpty() {
      assertThat(
              errors(
                  "services/a.txt", "name: a\n",
                  "services/b.yaml", "",
                  "services/.yaml", "name: c\n",
                  "mesh.yaml", "# nothing\n"))
          .containsExactly(
              "mesh.yaml:1:1: empty file (expected mesh settings; delete the file to use the"
                  + " defaults)",
              "services/.yaml:1:1: not a service definition (files under services/ must end in .yaml"
                  + " or .yml)",
              "services/a.txt:1:1: not a service definition (files under services/ must end in .yaml"
                  + " or .yml)",
              "services/b.yaml:1:1: empty file (expected a service definition)");
    }

    @Test
    void valuesInMessagesAreEscapedAndShortened() {
      assertThat(
              errors("services/a.yaml", service("a", "mtls: \"it's\\tX" + "x".repeat(80) + "\"")))
          .containsExactly(
              "services/a.yaml:5:7: mtls: invalid value 'it\\'s\\tX"
                  + "x".repeat(58)
                  + "...' (expected one of: disable, permissive, strict)");
    }

    @Test
    void meshYamlIsCheckedToo() {
      assertThat(
              errors(
                  "mesh.yaml",
                  "name: Mesh\ntrustDomain: a/b\nmtls: yes\nsidecar: {inboundPort: 1, outboundPort: 1}\n"
                      + "gateways:\n  - name: gw\n    httpsPort: 80\n    httpPort: 80\n  - name: gw\n"))
          .containsExactly(
              "mesh.yaml:1:7: name: 'Mesh' is not a DNS label (lowercase letters, digits and '-',"
                  + " starting and ending with a letter or digit, at most 63 characters)",
              "mesh.yaml:2:14: trustDomain: 'a/b' is not a valid hostname (dot-separated labels of"
                  + " lowercase letters, digits and '-', the last not all digits, or an IPv4 address)",
              "mesh.yaml:3:7: mtls: invalid value 'yes' (expected one of: disable, permissive,"
                  + " strict)",
              "mesh.yaml:4:41: sidecar.outboundPort: 1 is used for both sidecar.inboundPort and"
                  + " sidecar.outboundPort",
              "mesh.yaml:8:15: gateways[0].httpPort: 80 is used for both httpsPort and httpPort",
              "mesh.yaml:9:11: gateways[1].name: duplicate gateway 'gw' (first at line 6)");
    }

    @Test
    void unsupportedYamlFeaturesAreErrors() {
      assertThat(
              errors(
                  "services/a.yaml",
                  service("a", "<<: {sidecar: true}", "? [x]\n: y", "mtls: !!binary eA==")))
          .containsExactly(
              "services/a.yaml:5:1: merge keys ('<<') are not supported",
              "services/a.yaml:6:3: expected a field name, got a list",
              "services/a.yaml:8:7: mtls: unsupported YAML tag '!!binary'");
    }

    @Test
    void everyErrorOfEveryFileIsReportedInFileOrder() {
      LoadResult result =
          DefinitionLoader.load(
              tree(
                  "services/b.yaml", service("b", "port: 2", "sidecar: 3"),
                  "services/a.yaml", service("a", "mtls: x"),
                  "mesh.yaml", "mtls: y\n"));
      assertThat(result.ok()).isFalse();
      assertThat(result.mesh()).isEmpty();
      assertThat(result.errors())
          .extracting(e -> e.location().file() + ":" + e.location().line())
          .containsExactly(
              "mesh.yaml:1", "services/a.yaml:5", "services/b.yaml:5", "services/b.yaml:6");
    }

    @Test
    void orElseThrowListsEveryError() {
      LoadResult result =
          DefinitionLoader.load(tree("services/a.yaml", service("a", "mtls: x", "sidecar: 1")));
      assertThatThrownBy(result::orElseThrow)
          .isInstanceOf(DefinitionException.class)
          .hasMessage(
              "2 errors in definitions:\n"
                  + "services/a.yaml:5:7: mtls: invalid value 'x' (expected one of: disable,"
                  + " permissive, strict)\n"
                  + "services/a.yaml:6:10: sidecar: expected true or false, got '1'")
          .satisfies(e -> assertThat(((DefinitionException) e).errors()).hasSize(2));
    }
  }
}
