package dev.trellis.analyze.envoy;

import static dev.trellis.analyze.Fixtures.paymentsSidecar;
import static dev.trellis.analyze.Fixtures.remove;
import static dev.trellis.analyze.Fixtures.replace;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.trellis.analyze.Analyzer;
import dev.trellis.analyze.Finding;
import dev.trellis.analyze.Fixtures;
import dev.trellis.analyze.RuleRegistry;
import dev.trellis.analyze.Suppressions;
import dev.trellis.model.Mesh;
import dev.trellis.render.RenderedGroup;
import dev.trellis.render.RenderedResource;
import dev.trellis.render.ResourceType;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The reference and Envoy-semantics checks (TRL203..TRL213), one broken group each. */
class EnvoyChecksTest {

  private static final String SUFFIX =
      " [group 'payments', template '" + Fixtures.TEMPLATE + "' line 3]";

  private final Analyzer analyzer = new Analyzer(RuleRegistry.standard(), Fixtures.types());
  private final Mesh mesh = Fixtures.mesh();

  /** The findings of the payments sidecar group after {@code edit}, as "RULE level: message". */
  private List<String> findings(UnaryOperator<List<RenderedResource>> edit) {
    RenderedGroup group = paymentsSidecar(edit);
    return analyzer.analyzeGroup(mesh, group, Suppressions.none()).findings().stream()
        .map(EnvoyChecksTest::line)
        .toList();
  }

  private static String line(Finding f) {
    String m = f.message();
    return f.ruleId()
        + " "
        + f.level().label()
        + ": "
        + (m.endsWith(SUFFIX) ? m.substring(0, m.length() - SUFFIX.length()) : m + " <no suffix>");
  }

  private static List<RenderedResource> add(List<RenderedResource> rs, RenderedResource r) {
    List<RenderedResource> out = new ArrayList<>(rs);
    out.add(r);
    return out;
  }

  private static RenderedResource listener(Listener l) {
    return Fixtures.resource(
        ResourceType.LISTENER, l.getName(), l, Fixtures.at("services/payments.yaml", 1, 1));
  }

  @Test
  void routeToUnknownCluster() {
    assertThat(
            findings(
                rs ->
                    replace(
                        rs,
                        ResourceType.ROUTE,
                        "outbound",
                        Fixtures.routes(
                            "outbound",
                            Fixtures.vhost("ledger", List.of("ledger", "ledger:8080"), "ledgr")))))
        .containsExactly(
            "TRL203 error: RouteConfiguration 'outbound': route virtual_hosts[0].routes[0]"
                + " (virtual host 'ledger') sends traffic to cluster 'ledgr', which the group does"
                + " not define");
  }

  @Test
  void tcpProxyToUnknownCluster() {
    TcpProxy proxy = TcpProxy.newBuilder().setStatPrefix("db").setCluster("db").build();
    Listener l =
        Listener.newBuilder()
            .setName("outbound_tcp_db")
            .setAddress(Fixtures.address("127.0.0.1", 5432))
            .addFilterChains(
                FilterChain.newBuilder()
                    .addFilters(
                        Filter.newBuilder()
                            .setName("envoy.filters.network.tcp_proxy")
                            .setTypedConfig(Any.pack(proxy))))
            .build();
    assertThat(findings(rs -> add(rs, listener(l))))
        .containsExactly(
            "TRL203 error: Listener 'outbound_tcp_db': TCP proxy at filter_chains[0].filters[0]"
                + " sends traffic to cluster 'db', which the group does not define");
  }

  @Test
  void rdsNameWithoutRouteConfiguration() {
    assertThat(findings(rs -> remove(rs, ResourceType.ROUTE, "outbound")))
        .containsExactly(
            "TRL204 error: Listener 'outbound': HTTP connection manager at"
                + " filter_chains[0].filters[0] asks RDS for route configuration 'outbound', which"
                + " the group does not serve");
  }

  @Test
  void edsClusterWithoutAssignment() {
    assertThat(findings(rs -> remove(rs, ResourceType.ENDPOINT, "ledger")))
        .containsExactly(
            "TRL205 error: Cluster 'ledger': EDS cluster has no ClusterLoadAssignment 'ledger' in"
                + " the group");
  }

  @Test
  void edsServiceNameIsWhatTheAssignmentMustBeCalled() {
    Cluster renamed =
        Fixtures.edsCluster("ledger").toBuilder()
            .setEdsClusterConfig(
                Cluster.EdsClusterConfig.newBuilder()
                    .setEdsConfig(Fixtures.ads())
                    .setServiceName("ledger-v2"))
            .build();
    assertThat(findings(rs -> replace(rs, ResourceType.CLUSTER, "ledger", renamed)))
        .containsExactly(
            "TRL205 error: Cluster 'ledger': EDS cluster has no ClusterLoadAssignment 'ledger-v2'"
                + " in the group");
  }

  @Test
  void assignmentWithoutEndpointsIsAWarning() {
    ClusterLoadAssignment empty =
        ClusterLoadAssignment.newBuilder()
            .setClusterName("ledger")
            .addEndpoints(LocalityLbEndpoints.getDefaultInstance())
            .build();
    assertThat(findings(rs -> replace(rs, ResourceType.ENDPOINT, "ledger", empty)))
        .containsExactly(
            "TRL206 warning: ClusterLoadAssignment 'ledger': has no endpoints; calls through"
                + " cluster 'ledger' will fail");
  }

  private static Cluster withSds(String secret) {
    UpstreamTlsContext tls =
        UpstreamTlsContext.newBuilder()
            .setCommonTlsContext(
                CommonTlsContext.newBuilder()
                    .addTlsCertificateSdsSecretConfigs(
                        SdsSecretConfig.newBuilder().setName(secret).setSdsConfig(Fixtures.ads())))
            .build();
    return Fixtures.edsCluster("ledger").toBuilder()
        .setTransportSocket(
            TransportSocket.newBuilder()
                .setName("envoy.transport_sockets.tls")
                .setTypedConfig(Any.pack(tls)))
        .build();
  }

  @Test
  void sdsSecretNobodyServes() {
    assertThat(findings(rs -> replace(rs, ResourceType.CLUSTER, "ledger", withSds("default"))))
        .containsExactly(
            "TRL207 error: Cluster 'ledger': transport_socket.typed_config.common_tls_context"
                + ".tls_certificate_sds_secret_configs[0] asks SDS for secret 'default', which the"
                + " group does not serve");
  }

  @Test
  void sdsSecretTheGroupServesIsFine() {
    Secret secret =
        Secret.newBuilder()
            .setName("default")
            .setTlsCertificate(TlsCertificate.getDefaultInstance())
            .build();
    assertThat(
            findings(
                rs ->
                    add(
                        replace(rs, ResourceType.CLUSTER, "ledger", withSds("default")),
                        Fixtures.resource(
                            ResourceType.SECRET,
                            "default",
                            secret,
                            Fixtures.at("mesh.yaml", 1, 1)))))
        .isEmpty();
  }

  private static List<RenderedResource> withHttpFilters(
      List<RenderedResource> rs, List<HttpFilter> filters) {
    HttpConnectionManager h =
        Fixtures.rdsHcm("outbound", "outbound").toBuilder()
            .clearHttpFilters()
            .addAllHttpFilters(filters)
            .build();
    return replace(
        rs,
        ResourceType.LISTENER,
        "outbound",
        Fixtures.httpListener("outbound", "127.0.0.1", 15001, h));
  }

  @Test
  void httpFilterChainWithoutRouter() {
    HttpFilter cors = HttpFilter.newBuilder().setName("envoy.filters.http.cors").build();
    assertThat(findings(rs -> withHttpFilters(rs, List.of(cors))))
        .containsExactly(
            "TRL208 error: Listener 'outbound': HTTP filter chain at"
                + " filter_chains[0].filters[0].typed_config.http_filters has no router filter"
                + " (envoy.filters.http.router)");
  }

  @Test
  void routerNotLast() {
    HttpFilter cors = HttpFilter.newBuilder().setName("envoy.filters.http.cors").build();
    assertThat(findings(rs -> withHttpFilters(rs, List.of(Fixtures.router(), cors))))
        .containsExactly(
            "TRL208 error: Listener 'outbound': HTTP filter chain at"
                + " filter_chains[0].filters[0].typed_config.http_filters has the router filter at"
                + " position 1 of 2; it must be last");
  }

  @Test
  void twoListenersOnOneAddress() {
    Listener clash =
        Fixtures.httpListener(
            "outbound", "0.0.0.0", 15006, Fixtures.rdsHcm("outbound", "outbound"));
    assertThat(findings(rs -> replace(rs, ResourceType.LISTENER, "outbound", clash)))
        .containsExactly(
            "TRL209 error: Listener 'outbound': listens on 0.0.0.0:15006, as does listener"
                + " 'inbound'");
  }

  @Test
  void duplicateDomainAcrossVirtualHostsIgnoringCase() {
    assertThat(
            findings(
                rs ->
                    replace(
                        rs,
                        ResourceType.ROUTE,
                        "outbound",
                        Fixtures.routes(
                            "outbound",
                            Fixtures.vhost("ledger", List.of("ledger", "ledger:8080"), "ledger"),
                            Fixtures.vhost("ledger2", List.of("Ledger"), "ledger")))))
        .containsExactly(
            "TRL210 error: RouteConfiguration 'outbound': domain 'Ledger' appears in virtual"
                + " hosts 'ledger' and 'ledger2'");
  }

  @Test
  void overlappingFilterChainMatches() {
    Listener base =
        Fixtures.httpListener("inbound", "0.0.0.0", 15006, Fixtures.rdsHcm("inbound", "inbound"));
    FilterChain chain = base.getFilterChains(0);
    Listener l =
        base.toBuilder()
            .clearFilterChains()
            .addFilterChains(
                chain.toBuilder()
                    .setFilterChainMatch(
                        FilterChainMatch.newBuilder()
                            .addServerNames("a.example")
                            .addServerNames("b.example")))
            .addFilterChains(
                chain.toBuilder()
                    .setName("b-only")
                    .setFilterChainMatch(FilterChainMatch.newBuilder().addServerNames("b.example")))
            .addFilterChains(
                chain.toBuilder()
                    .setFilterChainMatch(
                        FilterChainMatch.newBuilder()
                            .addServerNames("b.example")
                            .setTransportProtocol("tls")))
            .build();
    assertThat(findings(rs -> replace(rs, ResourceType.LISTENER, "inbound", l)))
        .containsExactly(
            "TRL211 error: Listener 'inbound': filter chain 'b-only' (filter_chains[1]) matches the"
                + " same connections as filter_chains[0] (server name 'b.example')");
  }

  @Test
  void filterChainsDifferingOnlyInHostBitsOfAPrefixOverlap() {
    var r1 =
        io.envoyproxy.envoy.config.core.v3.CidrRange.newBuilder()
            .setAddressPrefix("10.1.2.3")
            .setPrefixLen(com.google.protobuf.UInt32Value.of(8))
            .build();
    var r2 = r1.toBuilder().setAddressPrefix("10.0.0.0").build();
    assertThat(FilterChainMatchCheck.normalize(r1)).isEqualTo("10.0.0.0/8");
    assertThat(FilterChainMatchCheck.normalize(r2)).isEqualTo("10.0.0.0/8");
  }

  private static Cluster withMetadata(int bytes) {
    Struct blob =
        Struct.newBuilder()
            .putFields("blob", Value.newBuilder().setStringValue("x".repeat(bytes)).build())
            .build();
    return Fixtures.staticCluster("local_app", "127.0.0.1", 8080).toBuilder()
        .setMetadata(Metadata.newBuilder().putFilterMetadata("trellis", blob))
        .build();
  }

  @Test
  void resourceOverFourMebibytes() {
    Cluster big = withMetadata(5 * 1024 * 1024);
    assertThat(findings(rs -> replace(rs, ResourceType.CLUSTER, "local_app", big)))
        .containsExactly(
            "TRL212 error: Cluster 'local_app': is "
                + big.getSerializedSize()
                + " bytes (5.0 MiB) serialized, over the 4 MiB gRPC message limit");
  }

  @Test
  void resourceOverOneMebibyteIsAWarning() {
    Cluster big = withMetadata(1536 * 1024);
    assertThat(findings(rs -> replace(rs, ResourceType.CLUSTER, "local_app", big)))
        .containsExactly(
            "TRL213 warning: Cluster 'local_app': is "
                + big.getSerializedSize()
                + " bytes (1.5 MiB) serialized (warning above 1 MiB, limit 4 MiB)");
  }

  @Test
  void groupsAreAnalyzedIndependently() {
    RenderedGroup broken = paymentsSidecar(rs -> remove(rs, ResourceType.ROUTE, "outbound"));
    assertThat(analyzer.analyzeGroup(mesh, Fixtures.paymentsGrpc(), Suppressions.none()).findings())
        .isEmpty();
    assertThat(analyzer.analyzeGroup(mesh, broken, Suppressions.none()).findings())
        .extracting(Finding::ruleId)
        .containsExactly("TRL204");
  }
}
