package dev.trellis.render;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.bootstrap.v3.Admin;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.metrics.v3.HistogramEmitMode;
import io.envoyproxy.envoy.config.metrics.v3.MetricsServiceConfig;
import io.envoyproxy.envoy.config.metrics.v3.StatsSink;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The bootstrap a proxy starts from, pointing it at Trellis: an Envoy bootstrap (node, admin
 * interface, ADS for listeners and clusters, the xDS cluster, statistics to Trellis' metrics
 * service) or a grpc-xds bootstrap file for a proxyless gRPC app (xDS server, node, the {@code
 * trellis} file_watcher certificate provider the rendered TLS contexts name, the server listener
 * name template).
 */
public final class Bootstraps {

  /** The cluster of an Envoy bootstrap that reaches the control plane. */
  public static final String XDS_CLUSTER = "trellis_xds";

  /** The resource name of a gRPC server's listener, as the grpc templates render it. */
  public static final String SERVER_LISTENER_TEMPLATE =
      "grpc/server?xds.resource.listening_address=%s";

  /**
   * What a bootstrap says.
   *
   * @param group the proxy group ({@code node.cluster}): a service or a gateway name
   * @param certificates a directory with {@code key.pem}, {@code cert.pem}, {@code ca.pem} (as
   *     {@code trellis certs issue} writes): for a proxyless app its file_watcher provider, for
   *     Envoy with {@code adsTls} its client certificate toward the control plane
   * @param adsTls whether the control plane serves xDS over TLS (Envoy only)
   */
  public record Spec(
      String nodeId,
      String group,
      String xdsHost,
      int xdsPort,
      int adminPort,
      Optional<Path> certificates,
      boolean adsTls) {
    public Spec {
      Objects.requireNonNull(nodeId, "nodeId");
      Objects.requireNonNull(group, "group");
      Objects.requireNonNull(xdsHost, "xdsHost");
      Objects.requireNonNull(certificates, "certificates");
      if (adsTls && certificates.isEmpty()) {
        throw new IllegalArgumentException(
            "xDS over TLS needs the proxy's certificate files (key.pem, cert.pem, ca.pem)");
      }
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final YAMLMapper YAML =
      YAMLMapper.builder()
          .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
          .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
          .build();

  private Bootstraps() {}

  /** The Envoy bootstrap as a proto. */
  public static Bootstrap envoy(Spec spec) {
    ConfigSource ads =
        ConfigSource.newBuilder()
            .setAds(AggregatedConfigSource.getDefaultInstance())
            .setResourceApiVersion(ApiVersion.V3)
            .build();
    Cluster.Builder xds =
        Cluster.newBuilder()
            .setName(XDS_CLUSTER)
            .setType(
                isIpLiteral(spec.xdsHost())
                    ? Cluster.DiscoveryType.STATIC
                    : Cluster.DiscoveryType.STRICT_DNS)
            .setConnectTimeout(Duration.newBuilder().setSeconds(1))
            .putTypedExtensionProtocolOptions(
                "envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
                Any.pack(
                    HttpProtocolOptions.newBuilder()
                        .setExplicitHttpConfig(
                            HttpProtocolOptions.ExplicitHttpConfig.newBuilder()
                                .setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance()))
                        .build()))
            .setLoadAssignment(
                ClusterLoadAssignment.newBuilder()
                    .setClusterName(XDS_CLUSTER)
                    .addEndpoints(
                        LocalityLbEndpoints.newBuilder()
                            .addLbEndpoints(
                                LbEndpoint.newBuilder()
                                    .setEndpoint(
                                        Endpoint.newBuilder()
                                            .setAddress(
                                                address(spec.xdsHost(), spec.xdsPort()))))));
    if (spec.adsTls()) {
      Path dir = spec.certificates().orElseThrow();
      xds.setTransportSocket(
          TransportSocket.newBuilder()
              .setName("envoy.transport_sockets.tls")
              .setTypedConfig(
                  Any.pack(
                      UpstreamTlsContext.newBuilder()
                          .setCommonTlsContext(
                              CommonTlsContext.newBuilder()
                                  .addTlsCertificates(
                                      TlsCertificate.newBuilder()
                                          .setCertificateChain(file(dir.resolve("cert.pem")))
                                          .setPrivateKey(file(dir.resolve("key.pem"))))
                                  .setValidationContext(
                                      CertificateValidationContext.newBuilder()
                                          .setTrustedCa(file(dir.resolve("ca.pem")))))
                          .build())));
    }
    return Bootstrap.newBuilder()
        .setNode(Node.newBuilder().setId(spec.nodeId()).setCluster(spec.group()))
        .setAdmin(Admin.newBuilder().setAddress(address("127.0.0.1", spec.adminPort())))
        .setDynamicResources(
            Bootstrap.DynamicResources.newBuilder()
                .setAdsConfig(
                    ApiConfigSource.newBuilder()
                        .setApiType(ApiConfigSource.ApiType.GRPC)
                        .setTransportApiVersion(ApiVersion.V3)
                        .setSetNodeOnFirstMessageOnly(true)
                        .addGrpcServices(
                            GrpcService.newBuilder()
                                .setEnvoyGrpc(
                                    GrpcService.EnvoyGrpc.newBuilder()
                                        .setClusterName(XDS_CLUSTER))))
                .setCdsConfig(ads)
                .setLdsConfig(ads))
        .setStaticResources(Bootstrap.StaticResources.newBuilder().addClusters(xds))
        // Counters and latency histograms to Trellis, which turns them into SLIs per group.
        .addStatsSinks(
            StatsSink.newBuilder()
                .setName("envoy.stat_sinks.metrics_service")
                .setTypedConfig(
                    Any.pack(
                        MetricsServiceConfig.newBuilder()
                            .setTransportApiVersion(ApiVersion.V3)
                            .setGrpcService(
                                GrpcService.newBuilder()
                                    .setEnvoyGrpc(
                                        GrpcService.EnvoyGrpc.newBuilder()
                                            .setClusterName(XDS_CLUSTER)))
                            .setHistogramEmitMode(HistogramEmitMode.HISTOGRAM)
                            .build())))
        .setStatsFlushInterval(Duration.newBuilder().setSeconds(10))
        .build();
  }

  /** The Envoy bootstrap in YAML, Envoy's field names. */
  public static String envoyYaml(Spec spec) {
    try {
      JsonNode tree =
          JSON.readTree(
              JsonFormat.printer()
                  .usingTypeRegistry(EnvoyTypes.registry())
                  .preservingProtoFieldNames()
                  .print(envoy(spec)));
      return YAML.writeValueAsString(tree);
    } catch (InvalidProtocolBufferException | JsonProcessingException e) {
      throw new IllegalStateException("cannot print the Envoy bootstrap: " + e.getMessage(), e);
    }
  }

  /**
   * The grpc-xds bootstrap JSON. The node says {@code trellis.role: grpc}, so the app is served its
   * group {@code grpc:<group>} whatever its user agent.
   */
  public static String grpcJson(Spec spec) {
    if (spec.adsTls()) {
      throw new IllegalArgumentException(
          "grpc-xds bootstrap 'tls' channel credentials present no client certificate, so a"
              + " proxyless app cannot reach a control plane that serves xDS over TLS");
    }
    ObjectNode root = JSON.createObjectNode();
    ObjectNode server = root.putArray("xds_servers").addObject();
    server.put("server_uri", hostPort(spec.xdsHost(), spec.xdsPort()));
    server.putArray("channel_creds").addObject().put("type", "insecure");
    server.putArray("server_features").add("xds_v3");
    ObjectNode node = root.putObject("node");
    node.put("id", spec.nodeId());
    node.put("cluster", spec.group());
    node.putObject("metadata").put("trellis.role", "grpc");
    spec.certificates()
        .ifPresent(
            dir -> {
              ObjectNode config =
                  root.putObject("certificate_providers")
                      .putObject(MeshSecrets.CERTIFICATE_PROVIDER_INSTANCE)
                      .put("plugin_name", "file_watcher")
                      .putObject("config");
              config.put("certificate_file", dir.resolve("cert.pem").toString());
              config.put("private_key_file", dir.resolve("key.pem").toString());
              config.put("ca_certificate_file", dir.resolve("ca.pem").toString());
              config.put("refresh_interval", "60s");
            });
    root.put("server_listener_resource_name_template", SERVER_LISTENER_TEMPLATE);
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Address address(String host, int port) {
    return Address.newBuilder()
        .setSocketAddress(SocketAddress.newBuilder().setAddress(host).setPortValue(port))
        .build();
  }

  private static DataSource file(Path path) {
    return DataSource.newBuilder().setFilename(path.toString()).build();
  }

  private static String hostPort(String host, int port) {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  private static boolean isIpLiteral(String host) {
    return host.matches("[0-9.]+") || host.contains(":");
  }
}
