package dev.trellis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.google.protobuf.util.JsonFormat;
import dev.trellis.analyze.envoy.ProtoValidator;
import dev.trellis.render.EnvoyTypes;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.metrics.v3.MetricsServiceConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code trellis bootstrap} on the sample mesh; Envoy bootstraps checked with Envoy's own rules.
 */
class BootstrapCommandTest {

  static final String MESH = Path.of("..", "samples", "mesh").toString();

  @TempDir Path tmp;
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  int run(String... args) {
    CommandLine cl = TrellisCli.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  static Bootstrap parse(String yaml) throws Exception {
    JsonNode tree = new YAMLMapper().readTree(yaml);
    Bootstrap.Builder b = Bootstrap.newBuilder();
    JsonFormat.parser()
        .usingTypeRegistry(EnvoyTypes.registry())
        .merge(new ObjectMapper().writeValueAsString(tree), b);
    return b.build();
  }

  @Test
  void aSidecarGetsAnEnvoyBootstrapThatPassesEnvoysFieldRules() throws Exception {
    assertThat(
            run(
                "bootstrap",
                "--defs",
                MESH,
                "--proxy",
                "checkout",
                "--node-id",
                "checkout-0",
                "--xds",
                "trellis.mesh-system.svc:18000"))
        .as(err.toString())
        .isZero();

    Bootstrap bootstrap = parse(out.toString());

    assertThat(new ProtoValidator().validate(bootstrap, EnvoyTypes.registry())).isEmpty();
    Bootstrap broken =
        bootstrap.toBuilder()
            .setStaticResources(
                bootstrap.getStaticResources().toBuilder()
                    .setClusters(
                        0,
                        bootstrap.getStaticResources().getClusters(0).toBuilder()
                            .setConnectTimeout(
                                com.google.protobuf.Duration.newBuilder().setSeconds(-1))))
            .build();
    assertThat(new ProtoValidator().validate(broken, EnvoyTypes.registry()))
        .as("the same rules refuse a negative connect timeout")
        .isNotEmpty();
    assertThat(bootstrap.getNode().getId()).isEqualTo("checkout-0");
    assertThat(bootstrap.getNode().getCluster()).isEqualTo("checkout");
    assertThat(
            bootstrap
                .getDynamicResources()
                .getAdsConfig()
                .getGrpcServices(0)
                .getEnvoyGrpc()
                .getClusterName())
        .isEqualTo("trellis_xds");
    assertThat(bootstrap.getDynamicResources().getLdsConfig().hasAds()).isTrue();
    assertThat(bootstrap.getDynamicResources().getCdsConfig().hasAds()).isTrue();
    Cluster xds = bootstrap.getStaticResources().getClusters(0);
    assertThat(xds.getType()).isEqualTo(Cluster.DiscoveryType.STRICT_DNS);
    assertThat(
            xds.getLoadAssignment()
                .getEndpoints(0)
                .getLbEndpoints(0)
                .getEndpoint()
                .getAddress()
                .getSocketAddress())
        .satisfies(
            a -> {
              assertThat(a.getAddress()).isEqualTo("trellis.mesh-system.svc");
              assertThat(a.getPortValue()).isEqualTo(18000);
            });
    assertThat(xds.hasTransportSocket()).isFalse();
    MetricsServiceConfig sink =
        bootstrap.getStatsSinks(0).getTypedConfig().unpack(MetricsServiceConfig.class);
    assertThat(sink.getGrpcService().getEnvoyGrpc().getClusterName()).isEqualTo("trellis_xds");
    assertThat(sink.getTransportApiVersion()).isEqualTo(ApiVersion.V3);
  }

  @Test
  void withAdsTlsEnvoyPresentsItsCertificateFiles() throws Exception {
    Path certs = tmp.resolve("certs");
    assertThat(
            run(
                "bootstrap",
                "--defs",
                MESH,
                "--proxy",
                "public",
                "--xds",
                "10.0.0.5:18000",
                "--ads-tls",
                "--certs",
                certs.toString()))
        .as(err.toString())
        .isZero();

    Bootstrap bootstrap = parse(out.toString());

    assertThat(new ProtoValidator().validate(bootstrap, EnvoyTypes.registry())).isEmpty();
    Cluster xds = bootstrap.getStaticResources().getClusters(0);
    assertThat(xds.getType()).isEqualTo(Cluster.DiscoveryType.STATIC);
    UpstreamTlsContext tls =
        xds.getTransportSocket().getTypedConfig().unpack(UpstreamTlsContext.class);
    assertThat(tls.getCommonTlsContext().getTlsCertificates(0).getCertificateChain().getFilename())
        .isEqualTo(certs.resolve("cert.pem").toString());
    assertThat(tls.getCommonTlsContext().getValidationContext().getTrustedCa().getFilename())
        .isEqualTo(certs.resolve("ca.pem").toString());
  }

  @Test
  void aProxylessServiceGetsAGrpcBootstrap() throws Exception {
    Path certs = tmp.resolve("certs");
    assertThat(
            run(
                "bootstrap",
                "--defs",
                MESH,
                "--proxy",
                "recommendations",
                "--node-id",
                "recommendations-0",
                "--certs",
                certs.toString()))
        .as(err.toString())
        .isZero();

    JsonNode json = new ObjectMapper().readTree(out.toString());
    assertThat(json.at("/xds_servers/0/server_uri").asText()).isEqualTo("127.0.0.1:18000");
    assertThat(json.at("/xds_servers/0/server_features/0").asText()).isEqualTo("xds_v3");
    assertThat(json.at("/node/cluster").asText()).isEqualTo("recommendations");
    assertThat(json.at("/node/metadata/trellis.role").asText()).isEqualTo("grpc");
    assertThat(json.at("/certificate_providers/trellis/plugin_name").asText())
        .isEqualTo("file_watcher");
    assertThat(json.at("/certificate_providers/trellis/config/private_key_file").asText())
        .isEqualTo(certs.resolve("key.pem").toString());
    assertThat(json.at("/server_listener_resource_name_template").asText())
        .isEqualTo("grpc/server?xds.resource.listening_address=%s");
  }

  @Test
  void mistakesAreNamed() {
    assertThat(run("bootstrap", "--defs", MESH, "--proxy", "nope"))
        .isEqualTo(TrellisCli.EXIT_INVALID);
    assertThat(err.toString())
        .startsWith("trellis: --proxy: no service or gateway 'nope' in " + MESH);
    assertThat(run("bootstrap", "--defs", MESH, "--proxy", "checkout", "--xds", "localhost"))
        .isEqualTo(TrellisCli.EXIT_USAGE);
    assertThat(err.toString()).contains("--xds: expected HOST:PORT; got 'localhost'");
    assertThat(run("bootstrap", "--defs", MESH, "--proxy", "public", "--format", "grpc"))
        .isEqualTo(TrellisCli.EXIT_USAGE);
    assertThat(err.toString())
        .contains("--format grpc: 'public' is a gateway, whose proxies are Envoy");
    assertThat(run("bootstrap", "--defs", MESH, "--proxy", "checkout", "--ads-tls"))
        .isEqualTo(TrellisCli.EXIT_USAGE);
    assertThat(err.toString())
        .contains("xDS over TLS needs the proxy's certificate files (key.pem, cert.pem, ca.pem)");
  }

  /** The default node id, as a child JVM given {@code env} prints it. */
  private static String defaultNodeId(Map<String, String> env) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
            java,
            "-cp",
            System.getProperty("java.class.path"),
            "dev.trellis.cli.TrellisCli",
            "bootstrap",
            "--defs",
            MESH,
            "--proxy",
            "checkout");
    pb.environment().remove("HOSTNAME");
    pb.environment().putAll(env);
    pb.redirectError(ProcessBuilder.Redirect.INHERIT);
    Process p = pb.start();
    String yaml = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(2, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("trellis bootstrap did not finish");
    }
    assertThat(p.exitValue()).isZero();
    return parse(yaml).getNode().getId();
  }

  @Test
  void theDefaultNodeIdNamesTheHostFromTheOperatingSystemNotTheShell() throws Exception {
    String host = Hostname.of().orElseThrow();

    assertThat(defaultNodeId(Map.of())).isEqualTo("checkout-" + host);
    assertThat(defaultNodeId(Map.of("HOSTNAME", "not-" + host)))
        .as("an exported $HOSTNAME changes nothing")
        .isEqualTo("checkout-" + host);
  }
}
