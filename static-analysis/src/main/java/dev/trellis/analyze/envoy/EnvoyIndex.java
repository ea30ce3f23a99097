package dev.trellis.analyze.envoy;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.trellis.analyze.GroupContext;
import dev.trellis.render.RenderedGroup;
import dev.trellis.render.RenderedResource;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What several checks need to know about one group's Envoy config, computed once per group: the
 * resources by name, and the places inside listeners and clusters that refer to other resources.
 * Config inside an Any that does not parse is left out (the field-constraint check reports it).
 */
final class EnvoyIndex {

  /**
   * An HTTP connection manager inside a listener, at {@code path} (e.g.
   * filter_chains[0].filters[0]).
   */
  record HcmSite(RenderedResource listener, String path, HttpConnectionManager hcm) {}

  /** A TCP proxy inside a listener. */
  record TcpProxySite(RenderedResource listener, String path, TcpProxy proxy) {}

  /**
   * A route table: a RouteConfiguration resource ({@code path} empty) or one inlined in a
   * listener's connection manager.
   */
  record RouteTable(RenderedResource owner, String path, RouteConfiguration config) {
    /** {@code path} plus {@code rest}, for naming places inside the table. */
    String at(String rest) {
      return path.isEmpty() ? rest : path + "." + rest;
    }
  }

  /** An SDS secret reference inside a TLS transport socket. */
  record SdsRef(RenderedResource owner, String path, SdsSecretConfig config) {}

  final Map<String, RenderedResource> clusters = new TreeMap<>();
  final Map<String, RenderedResource> assignments = new TreeMap<>();
  final Map<String, RenderedResource> routes = new TreeMap<>();
  final Map<String, RenderedResource> secrets = new TreeMap<>();
  final List<RenderedResource> listeners = new ArrayList<>();
  final List<HcmSite> hcms = new ArrayList<>();
  final List<TcpProxySite> tcpProxies = new ArrayList<>();
  final List<RouteTable> routeTables = new ArrayList<>();
  final List<SdsRef> sdsRefs = new ArrayList<>();

  static EnvoyIndex of(GroupContext context) {
    return context.derived(EnvoyIndex.class, c -> new EnvoyIndex(c.group()));
  }

  private EnvoyIndex(RenderedGroup group) {
    for (RenderedResource r : group.resources()) {
      switch (r.type()) {
        case CLUSTER -> cluster(r, (Cluster) r.proto());
        case ENDPOINT -> assignments.put(r.name(), r);
        case LISTENER -> listener(r, (Listener) r.proto());
        case ROUTE -> {
          routes.put(r.name(), r);
          routeTables.add(new RouteTable(r, "", (RouteConfiguration) r.proto()));
        }
        case SECRET -> secrets.put(r.name(), r);
      }
    }
  }

  /** Whether a config source is the ADS stream (or left out, which Trellis renders as ADS). */
  static boolean viaAds(boolean present, ConfigSource source) {
    return !present || source.hasAds();
  }

  private void cluster(RenderedResource r, Cluster c) {
    clusters.put(r.name(), r);
    if (c.hasTransportSocket()) {
      tls(r, "transport_socket", c.getTransportSocket());
    }
    for (int i = 0; i < c.getTransportSocketMatchesCount(); i++) {
      tls(
          r,
          "transport_socket_matches[" + i + "].transport_socket",
          c.getTransportSocketMatches(i).getTransportSocket());
    }
  }

  private void listener(RenderedResource r, Listener l) {
    listeners.add(r);
    for (int i = 0; i < l.getFilterChainsCount(); i++) {
      chain(r, "filter_chains[" + i + "]", l.getFilterChains(i));
    }
    if (l.hasDefaultFilterChain()) {
      chain(r, "default_filter_chain", l.getDefaultFilterChain());
    }
    if (l.getApiListener().hasApiListener()) {
      unpack(l.getApiListener().getApiListener(), HttpConnectionManager.getDefaultInstance())
          .ifPresent(h -> hcm(r, "api_listener.api_listener", h));
    }
  }

  private void chain(RenderedResource r, String path, FilterChain chain) {
    for (int j = 0; j < chain.getFiltersCount(); j++) {
      Filter f = chain.getFilters(j);
      String at = path + ".filters[" + j + "]";
      if (!f.hasTypedConfig()) {
        continue;
      }
      unpack(f.getTypedConfig(), HttpConnectionManager.getDefaultInstance())
          .ifPresent(h -> hcm(r, at, h));
      unpack(f.getTypedConfig(), TcpProxy.getDefaultInstance())
          .ifPresent(t -> tcpProxies.add(new TcpProxySite(r, at, t)));
    }
    if (chain.hasTransportSocket()) {
      tls(r, path + ".transport_socket", chain.getTransportSocket());
    }
  }

  private void hcm(RenderedResource listener, String path, HttpConnectionManager h) {
    hcms.add(new HcmSite(listener, path, h));
    if (h.hasRouteConfig()) {
      routeTables.add(
          new RouteTable(listener, path + ".typed_config.route_config", h.getRouteConfig()));
    }
  }

  private void tls(RenderedResource r, String path, TransportSocket socket) {
    if (!socket.hasTypedConfig()) {
      return;
    }
    String at = path + ".typed_config";
    unpack(socket.getTypedConfig(), UpstreamTlsContext.getDefaultInstance())
        .ifPresent(u -> common(r, at + ".common_tls_context", u.getCommonTlsContext()));
    unpack(socket.getTypedConfig(), DownstreamTlsContext.getDefaultInstance())
        .ifPresent(
            d -> {
              common(r, at + ".common_tls_context", d.getCommonTlsContext());
              if (d.hasSessionTicketKeysSdsSecretConfig()) {
                sdsRefs.add(
                    new SdsRef(
                        r,
                        at + ".session_ticket_keys_sds_secret_config",
                        d.getSessionTicketKeysSdsSecretConfig()));
              }
            });
  }

  private void common(RenderedResource r, String path, CommonTlsContext c) {
    for (int i = 0; i < c.getTlsCertificateSdsSecretConfigsCount(); i++) {
      sdsRefs.add(
          new SdsRef(
              r,
              path + ".tls_certificate_sds_secret_configs[" + i + "]",
              c.getTlsCertificateSdsSecretConfigs(i)));
    }
    if (c.hasValidationContextSdsSecretConfig()) {
      sdsRefs.add(
          new SdsRef(
              r,
              path + ".validation_context_sds_secret_config",
              c.getValidationContextSdsSecretConfig()));
    }
    if (c.getCombinedValidationContext().hasValidationContextSdsSecretConfig()) {
      sdsRefs.add(
          new SdsRef(
              r,
              path + ".combined_validation_context.validation_context_sds_secret_config",
              c.getCombinedValidationContext().getValidationContextSdsSecretConfig()));
    }
  }

  /** The Any's content as {@code prototype}'s type, if it holds that type and parses. */
  private static <T extends Message> Optional<T> unpack(Any any, T prototype) {
    if (!holds(any, prototype.getDescriptorForType())) {
      return Optional.empty();
    }
    try {
      // unpackSameTypeAs caches the result in the Any, so the field-constraint walk reuses it
      return Optional.of(any.unpackSameTypeAs(prototype));
    } catch (InvalidProtocolBufferException e) {
      return Optional.empty();
    }
  }

  /**
   * Whether the Any's type URL names {@code type}; unlike {@link Any#is} this needs no reflective
   * lookup of a class' default instance per call.
   */
  static boolean holds(Any any, com.google.protobuf.Descriptors.Descriptor type) {
    String url = any.getTypeUrl();
    String name = type.getFullName();
    return url.endsWith(name)
        && url.length() > name.length()
        && url.charAt(url.length() - name.length() - 1) == '/';
  }
}
