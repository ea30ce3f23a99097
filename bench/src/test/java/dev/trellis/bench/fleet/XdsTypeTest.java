package dev.trellis.bench.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import org.junit.jupiter.api.Test;

class XdsTypeTest {

  private static final ConfigSource ADS =
      ConfigSource.newBuilder().setAds(AggregatedConfigSource.getDefaultInstance()).build();

  @Test
  void anEdsClusterWithTlsAsksForItsLoadAssignmentAndItsSecretsOverAds() throws Exception {
    Cluster c =
        Cluster.newBuilder()
            .setName("ledger")
            .setType(Cluster.DiscoveryType.EDS)
            .setEdsClusterConfig(
                Cluster.EdsClusterConfig.newBuilder()
                    .setEdsConfig(ADS)
                    .setServiceName("ledger-eds"))
            .setTransportSocket(
                tls(
                    UpstreamTlsContext.newBuilder()
                        .setCommonTlsContext(
                            CommonTlsContext.newBuilder()
                                .addTlsCertificateSdsSecretConfigs(sds("default", ADS))
                                // Not over ADS: Envoy fetches it elsewhere, not on this stream.
                                .addTlsCertificateSdsSecretConfigs(
                                    sds("elsewhere", ConfigSource.getDefaultInstance()))
                                .setValidationContextSdsSecretConfig(sds("ROOTCA", ADS)))
                        .build()))
            .build();

    XdsType.Parsed p = XdsType.CDS.parse(c.toByteString());

    assertThat(p.name()).isEqualTo("ledger");
    assertThat(p.dependents()).containsExactly("ledger-eds");
    assertThat(p.secrets()).containsExactly("default", "ROOTCA");
  }

  @Test
  void aStaticClusterAsksForNothing() throws Exception {
    Cluster c =
        Cluster.newBuilder().setName("local_app").setType(Cluster.DiscoveryType.STATIC).build();

    XdsType.Parsed p = XdsType.CDS.parse(c.toByteString());

    assertThat(p.dependents()).isEmpty();
    assertThat(p.secrets()).isEmpty();
  }

  @Test
  void aListenerAsksForTheRouteConfigsOfItsConnectionManagersAndItsServerSecrets()
      throws Exception {
    Listener l =
        Listener.newBuilder()
            .setName("inbound")
            .addFilterChains(
                FilterChain.newBuilder()
                    .addFilters(hcm("inbound"))
                    .setTransportSocket(
                        tls(
                            DownstreamTlsContext.newBuilder()
                                .setCommonTlsContext(
                                    CommonTlsContext.newBuilder()
                                        .addTlsCertificateSdsSecretConfigs(sds("default", ADS)))
                                .build())))
            .addFilterChains(FilterChain.newBuilder().addFilters(hcm("inbound")))
            .setDefaultFilterChain(FilterChain.newBuilder().addFilters(hcm("fallback")))
            .build();

    XdsType.Parsed p = XdsType.LDS.parse(l.toByteString());

    assertThat(p.name()).isEqualTo("inbound");
    assertThat(p.dependents()).containsExactly("inbound", "fallback");
    assertThat(p.secrets()).containsExactly("default");
  }

  @Test
  void namedTypesAreReadByTheirNameFieldOnly() throws Exception {
    ClusterLoadAssignment cla =
        ClusterLoadAssignment.newBuilder()
            .setClusterName("ledger")
            .addEndpoints(
                io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints.getDefaultInstance())
            .build();

    assertThat(XdsType.EDS.parse(cla.toByteString()).name()).isEqualTo("ledger");
    assertThat(XdsType.ofUrl(XdsType.SDS.typeUrl())).isEqualTo(XdsType.SDS);
    assertThat(XdsType.ofUrl("type.googleapis.com/nope")).isNull();
  }

  private static SdsSecretConfig sds(String name, ConfigSource source) {
    return SdsSecretConfig.newBuilder().setName(name).setSdsConfig(source).build();
  }

  private static TransportSocket tls(com.google.protobuf.Message context) {
    return TransportSocket.newBuilder()
        .setName("envoy.transport_sockets.tls")
        .setTypedConfig(Any.pack(context))
        .build();
  }

  private static Filter hcm(String routeConfig) {
    return Filter.newBuilder()
        .setName("envoy.filters.network.http_connection_manager")
        .setTypedConfig(
            Any.pack(
                HttpConnectionManager.newBuilder()
                    .setRds(Rds.newBuilder().setConfigSource(ADS).setRouteConfigName(routeConfig))
                    .build()))
        .build();
  }
}
