package dev.trellis.analyze.clients;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.trellis.render.RenderedResource;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers.Thresholds;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.LoadBalancingPolicy;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.load_balancing_policies.wrr_locality.v3.WrrLocality;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The features of the capability model that one rendered resource uses, each with the path where it
 * is used. Reads only what the model has entries for; everything else is some client's concern only
 * if the model learns of it.
 */
final class ConfigFeatures {

  private static final String LB_EXTENSION = "envoy.load_balancing_policies.";

  /** The retry conditions gRPC implements (gRFC A44); the others it ignores. */
  private static final Set<String> GRPC_RETRY_ON =
      Set.of("cancelled", "deadline-exceeded", "internal", "resource-exhausted", "unavailable");

  private final RenderedResource resource;
  private final List<FeatureUse> uses = new ArrayList<>();

  private ConfigFeatures(RenderedResource resource) {
    this.resource = resource;
  }

  static List<FeatureUse> of(RenderedResource resource) {
    ConfigFeatures f = new ConfigFeatures(resource);
    switch (resource.type()) {
      case CLUSTER -> f.cluster((Cluster) resource.proto());
      case LISTENER -> f.listener((Listener) resource.proto());
      case ROUTE -> f.routes("", (RouteConfiguration) resource.proto());
      default -> {}
    }
    return List.copyOf(f.uses);
  }

  private void use(String feature, String detail) {
    uses.add(FeatureUse.of(resource, feature, detail));
  }

  private void cluster(Cluster c) {
    if (c.hasLoadBalancingPolicy()) {
      List<String> choices = new ArrayList<>();
      policies("", c.getLoadBalancingPolicy(), choices);
      uses.add(
          new FeatureUse(
              resource,
              choices,
              "load_balancing_policy [" + String.join(", ", choices).replace("lb.", "") + "]"));
    } else if (c.getLbPolicy() != Cluster.LbPolicy.LOAD_BALANCING_POLICY_CONFIG) {
      use(
          "lb." + c.getLbPolicy().name().toLowerCase(Locale.ROOT),
          "lb_policy " + c.getLbPolicy().name());
    }
    if (c.hasOutlierDetection()) {
      outlier(c.getOutlierDetection());
    }
    for (int i = 0; i < c.getCircuitBreakers().getThresholdsCount(); i++) {
      thresholds("circuit_breakers.thresholds[" + i + "]", c.getCircuitBreakers().getThresholds(i));
    }
    if (c.hasTransportSocket()) {
      transportSocket("transport_socket", c.getTransportSocket());
    }
  }

  /** A policy list flattened to choices; wrr_locality's children each become one choice. */
  private static void policies(String prefix, LoadBalancingPolicy list, List<String> choices) {
    for (LoadBalancingPolicy.Policy p : list.getPoliciesList()) {
      String name = p.getTypedExtensionConfig().getName();
      String id =
          "lb." + (name.startsWith(LB_EXTENSION) ? name.substring(LB_EXTENSION.length()) : name);
      Optional<WrrLocality> wrr =
          unpack(p.getTypedExtensionConfig().getTypedConfig(), WrrLocality.getDefaultInstance());
      if (wrr.isPresent() && prefix.isEmpty()) {
        policies(id + "/", wrr.get().getEndpointPickingPolicy(), choices);
      } else {
        choices.add(prefix + id);
      }
    }
  }

  private void outlier(OutlierDetection o) {
    List<String> consecutive = new ArrayList<>();
    if (o.hasConsecutive5Xx()) {
      consecutive.add("consecutive_5xx");
    }
    if (o.hasConsecutiveGatewayFailure()) {
      consecutive.add("consecutive_gateway_failure");
    }
    if (o.hasConsecutiveLocalOriginFailure()) {
      consecutive.add("consecutive_local_origin_failure");
    }
    if (!consecutive.isEmpty()) {
      use("outlier_detection.consecutive", "outlier_detection." + String.join(", ", consecutive));
    }
    if (o.hasSuccessRateMinimumHosts()
        || o.hasEnforcingSuccessRate()
        || o.hasFailurePercentageThreshold()
        || o.hasEnforcingFailurePercentage()) {
      use("outlier_detection", "outlier_detection");
    }
  }

  private void thresholds(String path, Thresholds t) {
    if (t.hasMaxRequests()) {
      use("circuit_breakers.max_requests", path + ".max_requests");
    }
    List<String> limits = new ArrayList<>();
    if (t.hasMaxConnections()) {
      limits.add("max_connections");
    }
    if (t.hasMaxPendingRequests()) {
      limits.add("max_pending_requests");
    }
    if (t.hasMaxRetries()) {
      limits.add("max_retries");
    }
    if (t.hasMaxConnectionPools()) {
      limits.add("max_connection_pools");
    }
    if (!limits.isEmpty()) {
      use("circuit_breakers.limits", path + "." + String.join(", ", limits));
    }
    if (t.hasRetryBudget()) {
      use("circuit_breakers.retry_budget", path + ".retry_budget");
    }
  }

  private void transportSocket(String path, TransportSocket socket) {
    Any config = socket.getTypedConfig();
    Optional<CommonTlsContext> common =
        unpack(config, UpstreamTlsContext.getDefaultInstance())
            .map(UpstreamTlsContext::getCommonTlsContext)
            .or(
                () ->
                    unpack(config, DownstreamTlsContext.getDefaultInstance())
                        .map(DownstreamTlsContext::getCommonTlsContext));
    if (common.isEmpty()) {
      return;
    }
    CommonTlsContext c = common.get();
    String at = path + ".typed_config.common_tls_context";
    if (c.getTlsCertificateSdsSecretConfigsCount() > 0
        || c.hasValidationContextSdsSecretConfig()
        || c.getCombinedValidationContext().hasValidationContextSdsSecretConfig()) {
      use("tls.sds", at);
    }
    if (c.hasTlsCertificateProviderInstance()
        || c.getValidationContext().hasCaCertificateProviderInstance()
        || c.getCombinedValidationContext()
            .getDefaultValidationContext()
            .hasCaCertificateProviderInstance()) {
      use("tls.certificate_provider", at);
    }
  }

  private void listener(Listener l) {
    if (l.hasApiListener()) {
      unpack(l.getApiListener().getApiListener(), HttpConnectionManager.getDefaultInstance())
          .ifPresent(h -> hcm("api_listener.api_listener", h));
    }
    for (int i = 0; i < l.getFilterChainsCount(); i++) {
      chain("filter_chains[" + i + "]", l.getFilterChains(i));
    }
    if (l.hasDefaultFilterChain()) {
      chain("default_filter_chain", l.getDefaultFilterChain());
    }
  }

  private void chain(String path, FilterChain chain) {
    for (int i = 0; i < chain.getFiltersCount(); i++) {
      Filter f = chain.getFilters(i);
      String at = path + ".filters[" + i + "].typed_config";
      unpack(f.getTypedConfig(), HttpConnectionManager.getDefaultInstance())
          .ifPresent(h -> hcm(at, h));
    }
    if (chain.hasTransportSocket()) {
      transportSocket(path + ".transport_socket", chain.getTransportSocket());
    }
  }

  private void hcm(String path, HttpConnectionManager hcm) {
    for (int i = 0; i < hcm.getHttpFiltersCount(); i++) {
      HttpFilter f = hcm.getHttpFilters(i);
      String at = path + ".http_filters[" + i + "] (" + f.getName() + ")";
      Any config = f.getTypedConfig();
      if (unpack(config, Router.getDefaultInstance()).isPresent()) {
        continue;
      }
      Optional<RBAC> rbac = unpack(config, RBAC.getDefaultInstance());
      if (rbac.isPresent()) {
        if (rbac.get().hasRules()) {
          use("rbac", at);
        }
        if (rbac.get().hasShadowRules()) {
          use("rbac.shadow_rules", at + ".shadow_rules");
        }
      } else if (unpack(config, HTTPFault.getDefaultInstance()).isPresent()) {
        use("fault_injection", at);
      } else {
        use(f.getIsOptional() ? "http_filter.custom_optional" : "http_filter.custom", at);
      }
    }
    if (hcm.hasRouteConfig()) {
      routes(path + ".route_config.", hcm.getRouteConfig());
    }
  }

  private void routes(String prefix, RouteConfiguration config) {
    for (int v = 0; v < config.getVirtualHostsCount(); v++) {
      VirtualHost host = config.getVirtualHosts(v);
      String hostPath = prefix + "virtual_hosts[" + v + "]";
      if (host.hasRetryPolicy()) {
        retry(hostPath + ".retry_policy", host.getRetryPolicy());
      }
      for (int r = 0; r < host.getRoutesCount(); r++) {
        Route route = host.getRoutes(r);
        String at = hostPath + ".routes[" + r + "].route";
        if (!route.hasRoute()) {
          continue;
        }
        if (route.getRoute().hasRetryPolicy()) {
          retry(at + ".retry_policy", route.getRoute().getRetryPolicy());
        }
        if (route.getRoute().getMaxStreamDuration().hasMaxStreamDuration()) {
          use("max_stream_duration", at + ".max_stream_duration");
        }
      }
    }
  }

  private void retry(String path, RetryPolicy p) {
    use("retry_policy", path);
    List<String> other = new ArrayList<>();
    for (String condition : p.getRetryOn().split(",")) {
      String c = condition.trim();
      if (!c.isEmpty() && !GRPC_RETRY_ON.contains(c)) {
        other.add(c);
      }
    }
    if (!other.isEmpty()) {
      use("retry_policy.http_conditions", path + ".retry_on " + String.join(",", other));
    }
    if (p.hasPerTryTimeout()) {
      use("retry_policy.per_try_timeout", path + ".per_try_timeout");
    }
  }

  private static <T extends Message> Optional<T> unpack(Any any, T prototype) {
    if (!any.getTypeUrl().endsWith("/" + prototype.getDescriptorForType().getFullName())) {
      return Optional.empty();
    }
    try {
      return Optional.of(any.unpackSameTypeAs(prototype));
    } catch (InvalidProtocolBufferException e) {
      return Optional.empty();
    }
  }
}
