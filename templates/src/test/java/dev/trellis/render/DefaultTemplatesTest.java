package dev.trellis.render;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class DefaultTemplatesTest {

  @Test
  void everyShippedTemplateIsListed() throws IOException {
    Path root = Path.of("src/main/resources", DefaultTemplates.RESOURCE_ROOT);
    try (Stream<Path> files = Files.walk(root)) {
      assertThat(
              files
                  .filter(Files::isRegularFile)
                  .map(p -> root.relativize(p).toString().replace('\\', '/'))
                  .sorted()
                  .toList())
          .containsExactlyElementsOf(DefaultTemplates.PATHS);
    }
  }

  @Test
  void typeRegistryKnowsCommonExtensions() {
    for (String type :
        new String[] {
          "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
          "envoy.extensions.filters.http.router.v3.Router",
          "envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy",
          "envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext",
          "envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext",
          "envoy.extensions.transport_sockets.tls.v3.Secret",
          "envoy.extensions.filters.http.rbac.v3.RBAC",
          "envoy.extensions.filters.network.rbac.v3.RBAC",
          "envoy.extensions.filters.http.csrf.v3.CsrfPolicy",
          "envoy.extensions.filters.http.cors.v3.Cors",
          "envoy.extensions.filters.http.lua.v3.Lua",
          "envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit",
          "envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector",
          "envoy.extensions.filters.http.header_to_metadata.v3.Config",
          "envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
          "envoy.extensions.load_balancing_policies.wrr_locality.v3.WrrLocality",
          "envoy.extensions.access_loggers.stream.v3.StdoutAccessLog",
          "envoy.config.cluster.v3.Cluster",
          "xds.type.v3.TypedStruct",
          "google.protobuf.Struct",
        }) {
      assertThat(EnvoyTypes.registry().find(type)).as(type).isNotNull();
    }
  }
}
