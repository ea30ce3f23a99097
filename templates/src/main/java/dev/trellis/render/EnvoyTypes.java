package dev.trellis.render;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.util.JsonFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The protobuf types Trellis knows by type URL: the xDS resources and the typed extensions a
 * template may put in a {@code typed_config} (filters, transport sockets, protocol options, load
 * balancing policies, access loggers...). Registered generously, so that templates can use any
 * common extension without code changes.
 */
public final class EnvoyTypes {

  private EnvoyTypes() {}

  /** The registry for JSON parsing and printing of {@code Any} fields; built once. */
  public static JsonFormat.TypeRegistry registry() {
    return Holder.REGISTRY;
  }

  private static final class Holder {
    static final JsonFormat.TypeRegistry REGISTRY = build();

    private static JsonFormat.TypeRegistry build() {
      JsonFormat.TypeRegistry.Builder b = JsonFormat.TypeRegistry.newBuilder();
      Set<String> seen = new HashSet<>();
      for (FileDescriptor f : files()) {
        addFile(b, f, seen);
      }
      return b.build();
    }

    /** Adds every message of {@code f} and of the files it imports, once each. */
    private static void addFile(
        JsonFormat.TypeRegistry.Builder b, FileDescriptor f, Set<String> seen) {
      if (!seen.add(f.getName())) {
        return;
      }
      for (FileDescriptor dep : f.getDependencies()) {
        addFile(b, dep, seen);
      }
      for (Descriptor d : f.getMessageTypes()) {
        b.add(d);
      }
    }
  }

  private static List<FileDescriptor> files() {
    return List.of(
        com.google.protobuf.EmptyProto.getDescriptor(),
        com.google.protobuf.StructProto.getDescriptor(),
        com.google.protobuf.WrappersProto.getDescriptor(),
        com.github.udpa.udpa.type.v1.TypedStructProto.getDescriptor(),
        com.github.xds.type.v3.TypedStructProto.getDescriptor(),
        io.envoyproxy.envoy.config.cluster.v3.ClusterProto.getDescriptor(),
        io.envoyproxy.envoy.config.endpoint.v3.EndpointProto.getDescriptor(),
        io.envoyproxy.envoy.config.listener.v3.ListenerProto.getDescriptor(),
        io.envoyproxy.envoy.config.route.v3.RouteProto.getDescriptor(),
        io.envoyproxy.envoy.config.route.v3.ScopedRouteProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.access_loggers.file.v3.FileProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.access_loggers.grpc.v3.AlsProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.access_loggers.open_telemetry.v3.LogsServiceProto
            .getDescriptor(),
        io.envoyproxy.envoy.extensions.access_loggers.stream.v3.StreamProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.compression.brotli.compressor.v3.BrotliProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.compression.brotli.decompressor.v3.BrotliProto
            .getDescriptor(),
        io.envoyproxy.envoy.extensions.compression.gzip.compressor.v3.GzipProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.compression.gzip.decompressor.v3.GzipProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.compression.zstd.compressor.v3.ZstdProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.compression.zstd.decompressor.v3.ZstdProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.http.adaptive_concurrency.v3.AdaptiveConcurrencyProto
            .getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.http.admission_control.v3.AdmissionControlProto
            .getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.http.bandwidth_limit.v3.BandwidthLimitProto
            .getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.http.basic_auth.v3.BasicAuthProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.http.buffer.v3.BufferProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.http.cache.v3.CacheProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.http.compressor.v3.CompressorProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.http.csrf.v3.CsrfProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.http.custom_response.v3.CustomResponseProto
            .getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.http.decompressor.v3.DecompressorProto
            .getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.http.dynamic_forward_proxy.v3
            .DynamicForwardProxyProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.ExtAuthzProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.http.ext_proc.v3.ExtProcProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.http.ext_proc.v3.ProcessingModeProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.http.fault.v3.FaultProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.http.gcp_authn.v3.GcpAuthnProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.http.grpc_http1_bridge.v3.ConfigProto
            .getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.http.grpc_json_transcoder.v3.TranscoderProto
            .getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.http.grpc_stats.v3.ConfigProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.http.grpc_web.v3.GrpcWebProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.http.gzip.v3.GzipProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.http.header_mutation.v3.HeaderMutationProto
            .getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.http.header_to_metadata.v3.HeaderToMetadataProto
            .getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.http.health_check.v3.HealthCheckProto
            .getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.http.json_to_metadata.v3.JsonToMetadataProto
            .getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.ConfigProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.http.kill_request.v3.KillRequestProto
            .getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimitProto
            .getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.http.lua.v3.LuaProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.http.oauth2.v3.OauthProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.http.on_demand.v3.OnDemandProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.http.original_src.v3.OriginalSrcProto
            .getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.http.rate_limit_quota.v3.RateLimitQuotaProto
            .getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.http.ratelimit.v3.RateLimitProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RbacProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.http.router.v3.RouterProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.http.set_metadata.v3.SetMetadataProto
            .getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.http.stateful_session.v3.StatefulSessionProto
            .getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.http.tap.v3.TapProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.http.wasm.v3.WasmProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.listener.http_inspector.v3.HttpInspectorProto
            .getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.listener.local_ratelimit.v3.LocalRatelimitProto
            .getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.listener.original_dst.v3.OriginalDstProto
            .getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.listener.original_src.v3.OriginalSrcProto
            .getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.listener.proxy_protocol.v3.ProxyProtocolProto
            .getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspectorProto
            .getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.network.connection_limit.v3.ConnectionLimitProto
            .getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.network.direct_response.v3.ConfigProto
            .getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.network.echo.v3.EchoProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.network.ext_authz.v3.ExtAuthzProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3
            .HttpConnectionManagerProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.network.local_ratelimit.v3.LocalRateLimitProto
            .getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.network.mongo_proxy.v3.MongoProxyProto
            .getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.network.ratelimit.v3.RateLimitProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.network.rbac.v3.RbacProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.network.redis_proxy.v3.RedisProxyProto
            .getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.network.sni_cluster.v3.SniClusterProto
            .getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxyProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.network.wasm.v3.WasmProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.udp.udp_proxy.v3.RouteProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.udp.udp_proxy.v3.UdpProxyProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.health_checkers.redis.v3.RedisProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.health_checkers.thrift.v3.ThriftProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.http.custom_response.local_response_policy.v3
            .LocalResponsePolicyProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.http.early_header_mutation.header_mutation.v3
            .HeaderMutationProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.http.header_formatters.preserve_case.v3.PreserveCaseProto
            .getDescriptor(),
        io.envoyproxy.envoy.extensions.http.original_ip_detection.xff.v3.XffProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.load_balancing_policies.client_side_weighted_round_robin.v3
            .ClientSideWeightedRoundRobinProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.load_balancing_policies.cluster_provided.v3
            .ClusterProvidedProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.load_balancing_policies.common.v3.CommonProto
            .getDescriptor(),
        io.envoyproxy.envoy.extensions.load_balancing_policies.least_request.v3.LeastRequestProto
            .getDescriptor(),
        io.envoyproxy.envoy.extensions.load_balancing_policies.maglev.v3.MaglevProto
            .getDescriptor(),
        io.envoyproxy.envoy.extensions.load_balancing_policies.pick_first.v3.PickFirstProto
            .getDescriptor(),
        io.envoyproxy.envoy.extensions.load_balancing_policies.random.v3.RandomProto
            .getDescriptor(),
        io.envoyproxy.envoy.extensions.load_balancing_policies.ring_hash.v3.RingHashProto
            .getDescriptor(),
        io.envoyproxy.envoy.extensions.load_balancing_policies.round_robin.v3.RoundRobinProto
            .getDescriptor(),
        io.envoyproxy.envoy.extensions.load_balancing_policies.subset.v3.SubsetProto
            .getDescriptor(),
        io.envoyproxy.envoy.extensions.load_balancing_policies.wrr_locality.v3.WrrLocalityProto
            .getDescriptor(),
        io.envoyproxy.envoy.extensions.network.dns_resolver.cares.v3.CaresDnsResolverProto
            .getDescriptor(),
        io.envoyproxy.envoy.extensions.network.dns_resolver.getaddrinfo.v3
            .GetaddrinfoDnsResolverProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.retry.host.omit_canary_hosts.v3.OmitCanaryHostsProto
            .getDescriptor(),
        io.envoyproxy.envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsProto
            .getDescriptor(),
        io.envoyproxy.envoy.extensions.retry.priority.previous_priorities.v3
            .PreviousPrioritiesConfigProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.transport_sockets.alts.v3.AltsProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.transport_sockets.http_11_proxy.v3.UpstreamHttp11ConnectProto
            .getDescriptor(),
        io.envoyproxy.envoy.extensions.transport_sockets.internal_upstream.v3.InternalUpstreamProto
            .getDescriptor(),
        io.envoyproxy.envoy.extensions.transport_sockets.proxy_protocol.v3
            .UpstreamProxyProtocolProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.transport_sockets.raw_buffer.v3.RawBufferProto
            .getDescriptor(),
        io.envoyproxy.envoy.extensions.transport_sockets.s2a.v3.S2aProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.transport_sockets.starttls.v3.StarttlsProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.transport_sockets.tap.v3.TapProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.transport_sockets.tcp_stats.v3.TcpStatsProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SecretProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsSpiffeValidatorConfigProto
            .getDescriptor(),
        io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptionsProto.getDescriptor(),
        io.envoyproxy.envoy.extensions.upstreams.tcp.v3.TcpProtocolOptionsProto.getDescriptor(),
        // Bootstraps' stats sinks (trellis bootstrap).
        io.envoyproxy.envoy.config.metrics.v3.MetricsServiceProto.getDescriptor());
  }
}
