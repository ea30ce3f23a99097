package dev.trellis.bench.fleet;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** The resource types an Envoy subscribes to over ADS, in the order it subscribes to them. */
public enum XdsType {
  CDS("type.googleapis.com/envoy.config.cluster.v3.Cluster", true),
  EDS("type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment", false),
  LDS("type.googleapis.com/envoy.config.listener.v3.Listener", true),
  RDS("type.googleapis.com/envoy.config.route.v3.RouteConfiguration", false),
  SDS("type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret", false);

  private static final String HCM_URL =
      "type.googleapis.com/" + HttpConnectionManager.getDescriptor().getFullName();
  private static final String UPSTREAM_TLS_URL =
      "type.googleapis.com/" + UpstreamTlsContext.getDescriptor().getFullName();
  private static final String DOWNSTREAM_TLS_URL =
      "type.googleapis.com/" + DownstreamTlsContext.getDescriptor().getFullName();
  private static final XdsType[] ALL = values();

  private final String typeUrl;
  private final boolean wildcard;

  XdsType(String typeUrl, boolean wildcard) {
    this.typeUrl = typeUrl;
    this.wildcard = wildcard;
  }

  public String typeUrl() {
    return typeUrl;
  }

  /** CDS and LDS are subscribed to as a whole; EDS, RDS and SDS by the names they mention. */
  public boolean wildcard() {
    return wildcard;
  }

  static XdsType ofUrl(String typeUrl) {
    for (XdsType t : ALL) {
      if (t.typeUrl.equals(typeUrl)) {
        return t;
      }
    }
    return null;
  }

  /**
   * What a simulated proxy keeps of one received resource: its name, the EDS or RDS names it makes
   * the proxy subscribe to, and the secrets its TLS contexts load over ADS.
   */
  record Parsed(String name, String[] dependents, String[] secrets) {}

  /**
   * Reads one resource: for clusters the EDS name of an EDS cluster, for listeners the route
   * configs their HTTP connection managers load over RDS, for both the SDS secrets their TLS
   * contexts load over ADS; for the others only the name.
   */
  Parsed parse(ByteString bytes) throws InvalidProtocolBufferException {
    return switch (this) {
      case CDS -> {
        Cluster c = Cluster.parseFrom(bytes);
        String eds = null;
        if (c.getClusterDiscoveryTypeCase() == Cluster.ClusterDiscoveryTypeCase.TYPE
            && c.getType() == Cluster.DiscoveryType.EDS) {
          String service = c.getEdsClusterConfig().getServiceName();
          eds = service.isEmpty() ? c.getName() : service;
        }
        List<String> secrets = new ArrayList<>();
        if (c.hasTransportSocket()) {
          secrets(c.getTransportSocket(), secrets);
        }
        for (Cluster.TransportSocketMatch m : c.getTransportSocketMatchesList()) {
          secrets(m.getTransportSocket(), secrets);
        }
        yield new Parsed(c.getName(), eds == null ? NONE : new String[] {eds}, array(secrets));
      }
      case LDS -> {
        Listener l = Listener.parseFrom(bytes);
        List<String> rds = new ArrayList<>();
        List<String> secrets = new ArrayList<>();
        List<FilterChain> chains = new ArrayList<>(l.getFilterChainsList());
        if (l.hasDefaultFilterChain()) {
          chains.add(l.getDefaultFilterChain());
        }
        for (FilterChain fc : chains) {
          routeConfigs(fc, rds);
          if (fc.hasTransportSocket()) {
            secrets(fc.getTransportSocket(), secrets);
          }
        }
        yield new Parsed(l.getName(), array(rds), array(secrets));
      }
      default -> new Parsed(nameField(bytes), NONE, NONE);
    };
  }

  private static String[] array(List<String> names) {
    return names.isEmpty() ? NONE : names.toArray(String[]::new);
  }

  /** The names of the secrets a TLS transport socket loads over ADS, as Envoy would ask for. */
  private static void secrets(TransportSocket socket, List<String> out)
      throws InvalidProtocolBufferException {
    Any cfg = socket.getTypedConfig();
    CommonTlsContext common;
    if (cfg.getTypeUrl().equals(UPSTREAM_TLS_URL)) {
      common = cfg.unpack(UpstreamTlsContext.class).getCommonTlsContext();
    } else if (cfg.getTypeUrl().equals(DOWNSTREAM_TLS_URL)) {
      common = cfg.unpack(DownstreamTlsContext.class).getCommonTlsContext();
    } else {
      return;
    }
    for (SdsSecretConfig sds : common.getTlsCertificateSdsSecretConfigsList()) {
      overAds(sds, out);
    }
    if (common.hasValidationContextSdsSecretConfig()) {
      overAds(common.getValidationContextSdsSecretConfig(), out);
    }
    if (common.hasCombinedValidationContext()
        && common.getCombinedValidationContext().hasValidationContextSdsSecretConfig()) {
      overAds(common.getCombinedValidationContext().getValidationContextSdsSecretConfig(), out);
    }
  }

  private static void overAds(SdsSecretConfig sds, List<String> out) {
    if (sds.getSdsConfig().hasAds() && !out.contains(sds.getName())) {
      out.add(sds.getName());
    }
  }

  private static final String[] NONE = new String[0];

  /** Field 1, length-delimited: (1 << 3) | 2. */
  private static final int NAME_TAG = (1 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED;

  private static void routeConfigs(FilterChain fc, List<String> out)
      throws InvalidProtocolBufferException {
    for (Filter f : fc.getFiltersList()) {
      Any cfg = f.getTypedConfig();
      if (cfg.getTypeUrl().equals(HCM_URL)) {
        HttpConnectionManager hcm = cfg.unpack(HttpConnectionManager.class);
        if (hcm.hasRds() && !out.contains(hcm.getRds().getRouteConfigName())) {
          out.add(hcm.getRds().getRouteConfigName());
        }
      }
    }
  }

  /**
   * Field 1 of a ClusterLoadAssignment or RouteConfiguration is its name: read only that rather
   * than parse the whole message (the fleet's CPU is shared with the server under test).
   */
  private static String nameField(ByteString bytes) throws InvalidProtocolBufferException {
    CodedInputStream in = bytes.newCodedInput();
    try {
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        if (tag == NAME_TAG) {
          return in.readStringRequireUtf8();
        }
        in.skipField(tag);
      }
    } catch (InvalidProtocolBufferException e) {
      throw e;
    } catch (IOException e) {
      throw new InvalidProtocolBufferException(e);
    }
    return "";
  }
}
