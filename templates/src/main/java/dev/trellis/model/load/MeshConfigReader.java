package dev.trellis.model.load;

import dev.trellis.model.Gateway;
import dev.trellis.model.MeshConfig;
import dev.trellis.model.MtlsMode;
import dev.trellis.model.SecurityHeaders;
import dev.trellis.model.ServiceAccountBinding;
import dev.trellis.model.SourceLocation;
import dev.trellis.model.TrafficPolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads and validates {@code mesh.yaml}; every field is optional, with the defaults of {@link
 * MeshConfig#defaults()}.
 */
final class MeshConfigReader {

  static final List<String> FIELDS =
      List.of(
          "name",
          "trustDomain",
          "mtls",
          "sidecar",
          "gateways",
          "trafficDefaults",
          "securityHeaders",
          "serviceAccounts");
  static final List<String> SERVICE_ACCOUNT_FIELDS = List.of("namespace", "name", "service");
  static final List<String> SIDECAR_FIELDS = List.of("inboundPort", "outboundPort");
  static final List<String> GATEWAY_FIELDS =
      List.of(
          "name", "httpsPort", "httpPort", "tls", "internalHeaderPrefix", "maxRequestHeadersKb");
  static final List<String> TLS_FIELDS = List.of("hosts", "certFile", "keyFile", "meshCa");
  static final int MAX_REQUEST_HEADERS_KB = 8192;
  static final int DEFAULT_HTTPS_PORT = 8443;
  static final int DEFAULT_HTTP_PORT = 8080;

  private final Source src;
  private final List<Ref> gatewayNames = new ArrayList<>();
  private final List<Ref> boundServices = new ArrayList<>();
  private boolean gatewaysKnown = true;

  private MeshConfigReader(Source src) {
    this.src = src;
  }

  static MeshFile read(String text, Problems problems) {
    MeshConfigReader reader = new MeshConfigReader(new Source(MeshConfig.FILE, problems));
    Optional<Node> root =
        YamlDocument.parse(
            reader.src, text, "expected mesh settings; delete the file to use the defaults");
    Optional<MeshConfig> config = root.flatMap(reader::config);
    return new MeshFile(
        config,
        reader.gatewayNames,
        root.isPresent() && reader.gatewaysKnown,
        reader.boundServices);
  }

  private Optional<MeshConfig> config(Node root) {
    MeshConfig d = MeshConfig.defaults();
    Optional<Fields> opened = Fields.open(src, "", root, FIELDS);
    if (opened.isEmpty()) {
      gatewaysKnown = false;
      return Optional.empty();
    }
    Fields f = opened.get();
    Optional<String> name =
        value(f, "name", d.name(), n -> Values.text(src, "name", n, Syntax.DNS_LABEL));
    Optional<String> trustDomain =
        value(
            f,
            "trustDomain",
            d.trustDomain(),
            n -> Values.text(src, "trustDomain", n, Syntax.HOST));
    Optional<MtlsMode> mtls =
        value(f, "mtls", d.mtlsDefault(), n -> Values.choice(src, "mtls", n, MtlsMode.class));
    Optional<SidecarPorts> ports =
        value(
            f, "sidecar", new SidecarPorts(d.inboundPort(), d.outboundPort()), n -> sidecar(n, d));
    List<Gateway> gateways = f.optional("gateways").map(this::gateways).orElse(List.of());
    Optional<TrafficPolicy> trafficDefaults =
        value(f, "trafficDefaults", d.trafficDefaults(), this::trafficDefaults);
    Optional<SecurityHeaders> securityHeaders =
        value(
            f,
            "securityHeaders",
            d.securityHeaders(),
            n -> SecurityHeadersReader.read(src, "securityHeaders", n));
    List<ServiceAccountBinding> serviceAccounts =
        f.optional("serviceAccounts").map(this::serviceAccounts).orElse(List.of());

    if (!src.clean()) {
      return Optional.empty();
    }
    return Optional.of(
        new MeshConfig(
            name.orElseThrow(),
            trustDomain.orElseThrow(),
            mtls.orElseThrow(),
            ports.orElseThrow().inbound(),
            ports.orElseThrow().outbound(),
            gateways,
            trafficDefaults.orElseThrow(),
            securityHeaders.orElseThrow(),
            serviceAccounts,
            src.provenance()));
  }

  private List<ServiceAccountBinding> serviceAccounts(Node node) {
    List<ServiceAccountBinding> out = new ArrayList<>();
    Map<String, SourceLocation> seen = new HashMap<>();
    for (Values.Item item : Values.nonEmptyItems(src, "serviceAccounts", node).orElse(List.of())) {
      Optional<Fields> opened = Fields.open(src, item.path(), item.node(), SERVICE_ACCOUNT_FIELDS);
      if (opened.isEmpty()) {
        continue;
      }
      Fields f = opened.get();
      Optional<String> namespace =
          f.required("namespace")
              .flatMap(n -> Values.text(src, f.path("namespace"), n, Syntax.DNS_LABEL));
      Optional<String> name =
          f.required("name")
              .flatMap(n -> Values.text(src, f.path("name"), n, Syntax.SERVICE_ACCOUNT));
      Optional<Node> serviceNode = f.required("service");
      Optional<String> service =
          serviceNode.flatMap(n -> Values.text(src, f.path("service"), n, Syntax.DNS_LABEL));
      if (namespace.isEmpty() || name.isEmpty() || service.isEmpty()) {
        continue;
      }
      SourceLocation at = src.at(item.node());
      SourceLocation first = seen.putIfAbsent(namespace.get() + "/" + name.get(), at);
      if (first != null) {
        src.invalid(
            item.node(),
            item.path(),
            "service account "
                + namespace.get()
                + "/"
                + name.get()
                + " is already bound (first at "
                + Values.position(first, at)
                + ")");
        continue;
      }
      boundServices.add(new Ref(service.get(), f.path("service"), src.at(serviceNode.get())));
      out.add(new ServiceAccountBinding(namespace.get(), name.get(), service.get()));
    }
    return out;
  }

  private Optional<TrafficPolicy> trafficDefaults(Node node) {
    return Fields.open(src, "trafficDefaults", node, TrafficPolicyReader.FIELDS)
        .flatMap(f -> TrafficPolicyReader.read(src, f));
  }

  private <T> Optional<T> value(
      Fields f, String field, T fallback, Function<Node, Optional<T>> read) {
    return f.optional(field).map(read).orElse(Optional.of(fallback));
  }

  private record SidecarPorts(int inbound, int outbound) {}

  private Optional<SidecarPorts> sidecar(Node node, MeshConfig defaults) {
    Optional<Fields> opened = Fields.open(src, "sidecar", node, SIDECAR_FIELDS);
    if (opened.isEmpty()) {
      return Optional.empty();
    }
    Fields f = opened.get();
    Optional<Integer> inbound =
        value(
            f,
            "inboundPort",
            defaults.inboundPort(),
            n -> Values.integer(src, "sidecar.inboundPort", n, 1, 65535));
    Optional<Integer> outbound =
        value(
            f,
            "outboundPort",
            defaults.outboundPort(),
            n -> Values.integer(src, "sidecar.outboundPort", n, 1, 65535));
    if (inbound.isEmpty() || outbound.isEmpty()) {
      return Optional.empty();
    }
    if (inbound.get().equals(outbound.get())) {
      String field = f.optional("outboundPort").isPresent() ? "outboundPort" : "inboundPort";
      src.invalid(
          f.optional(field).orElseThrow(),
          f.path(field),
          inbound.get() + " is used for both sidecar.inboundPort and sidecar.outboundPort");
      return Optional.empty();
    }
    return Optional.of(new SidecarPorts(inbound.get(), outbound.get()));
  }

  private List<Gateway> gateways(Node node) {
    Optional<List<Values.Item>> items = Values.items(src, "gateways", node);
    if (items.isEmpty()) {
      gatewaysKnown = false;
      return List.of();
    }
    List<Gateway> out = new ArrayList<>();
    Map<String, Ref> seen = new HashMap<>();
    for (Values.Item item : items.get()) {
      gateway(item, seen).ifPresent(out::add);
    }
    return out;
  }

  private Optional<Gateway> gateway(Values.Item item, Map<String, Ref> seen) {
    Optional<Fields> opened = Fields.open(src, item.path(), item.node(), GATEWAY_FIELDS);
    if (opened.isEmpty()) {
      gatewaysKnown = false;
      return Optional.empty();
    }
    Fields f = opened.get();
    String namePath = f.path("name");
    Optional<Node> nameNode = f.required("name");
    Optional<String> name = nameNode.flatMap(n -> Values.text(src, namePath, n));
    if (name.isEmpty()) {
      gatewaysKnown = false;
    } else {
      Ref ref = new Ref(name.get(), namePath, src.at(nameNode.get()));
      Ref first = seen.putIfAbsent(name.get(), ref);
      if (first != null) {
        src.invalid(
            nameNode.get(),
            namePath,
            "duplicate gateway '"
                + Values.quote(name.get())
                + "' (first at "
                + Values.position(first.at(), ref.at())
                + ")");
        name = Optional.empty();
      } else {
        gatewayNames.add(ref);
        Optional<String> problem = Syntax.DNS_LABEL.problem(name.get());
        if (problem.isPresent()) {
          src.invalid(
              nameNode.get(), namePath, "'" + Values.quote(name.get()) + "' " + problem.get());
          name = Optional.empty();
        }
      }
    }
    Optional<Integer> https = port(f, "httpsPort", DEFAULT_HTTPS_PORT);
    Optional<Integer> http = port(f, "httpPort", DEFAULT_HTTP_PORT);
    if (https.isPresent() && http.isPresent() && https.get().equals(http.get())) {
      Node at = f.optional("httpPort").or(() -> f.optional("httpsPort")).orElse(item.node());
      src.invalid(
          at,
          f.path(f.optional("httpPort").isPresent() ? "httpPort" : "httpsPort"),
          http.get() + " is used for both httpsPort and httpPort");
      return Optional.empty();
    }
    Optional<List<Gateway.Tls>> tls =
        value(f, "tls", List.<Gateway.Tls>of(), n -> tlsList(f.path("tls"), n));
    Optional<String> prefix =
        value(
            f,
            "internalHeaderPrefix",
            Gateway.DEFAULT_INTERNAL_HEADER_PREFIX,
            n ->
                Values.text(src, f.path("internalHeaderPrefix"), n, Syntax.INTERNAL_HEADER_PREFIX));
    Optional<Integer> maxHeaders =
        value(
            f,
            "maxRequestHeadersKb",
            Gateway.DEFAULT_MAX_REQUEST_HEADERS_KB,
            n -> Values.integer(src, f.path("maxRequestHeadersKb"), n, 1, MAX_REQUEST_HEADERS_KB));
    if (name.isEmpty()
        || https.isEmpty()
        || http.isEmpty()
        || tls.isEmpty()
        || prefix.isEmpty()
        || maxHeaders.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new Gateway(
            name.get(), https.get(), http.get(), tls.get(), prefix.get(), maxHeaders.get()));
  }

  /** The gateway's certificates; a host may have only one. */
  private Optional<List<Gateway.Tls>> tlsList(String path, Node node) {
    Optional<List<Values.Item>> items = Values.items(src, path, node);
    if (items.isEmpty()) {
      return Optional.empty();
    }
    List<Gateway.Tls> out = new ArrayList<>();
    Map<String, SourceLocation> hosts = new HashMap<>();
    boolean ok = true;
    for (Values.Item item : items.get()) {
      Optional<Gateway.Tls> tls = tls(item, hosts);
      ok &= tls.isPresent();
      tls.ifPresent(out::add);
    }
    return ok ? Optional.of(out) : Optional.empty();
  }

  private Optional<Gateway.Tls> tls(Values.Item item, Map<String, SourceLocation> seenHosts) {
    Optional<Fields> opened = Fields.open(src, item.path(), item.node(), TLS_FIELDS);
    if (opened.isEmpty()) {
      return Optional.empty();
    }
    Fields f = opened.get();
    boolean ok = true;
    Optional<List<String>> hosts =
        f.required("hosts")
            .flatMap(
                n -> Values.distinctList(src, f.path("hosts"), n, "host", Syntax.EDGE_HOST, false));
    if (hosts.isPresent()) {
      Node hostsNode = f.optional("hosts").orElseThrow();
      List<Node> hostNodes = ((SequenceNode) hostsNode).getValue();
      for (int i = 0; i < hosts.get().size(); i++) {
        SourceLocation at = src.at(hostNodes.get(i));
        SourceLocation first = seenHosts.putIfAbsent(hosts.get().get(i), at);
        if (first != null) {
          src.invalid(
              hostNodes.get(i),
              f.path("hosts") + "[" + i + "]",
              "host '"
                  + hosts.get().get(i)
                  + "' already has a certificate (first at "
                  + Values.position(first, at)
                  + ")");
          ok = false;
        }
      }
    }
    Optional<Node> certNode = f.optional("certFile");
    Optional<Node> keyNode = f.optional("keyFile");
    Optional<Node> meshCaNode = f.optional("meshCa");
    Optional<String> cert =
        certNode.flatMap(n -> Values.text(src, f.path("certFile"), n, Syntax.FILE_PATH));
    Optional<String> key =
        keyNode.flatMap(n -> Values.text(src, f.path("keyFile"), n, Syntax.FILE_PATH));
    Optional<Boolean> meshCa = meshCaNode.flatMap(n -> Values.bool(src, f.path("meshCa"), n));
    ok &= certNode.isPresent() == cert.isPresent() && keyNode.isPresent() == key.isPresent();
    ok &= meshCaNode.isPresent() == meshCa.isPresent();
    boolean files = certNode.isPresent() || keyNode.isPresent();
    if (meshCa.orElse(false) && files) {
      src.invalid(
          meshCaNode.orElseThrow(),
          f.path("meshCa"),
          "meshCa: true cannot be combined with certFile or keyFile");
      ok = false;
    } else if (files && (certNode.isEmpty() || keyNode.isEmpty())) {
      String missing = certNode.isEmpty() ? "certFile" : "keyFile";
      src.error(
          src.at(item.node()),
          f.path(missing),
          "missing required field '" + missing + "' in " + item.path() + " (files come in pairs)");
      ok = false;
    } else if (!files && !meshCa.orElse(false) && meshCa.isPresent() == meshCaNode.isPresent()) {
      src.error(
          src.at(item.node()),
          item.path(),
          item.path() + ": needs certFile and keyFile, or meshCa: true");
      ok = false;
    }
    if (!ok || hosts.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Gateway.Tls(hosts.get(), cert, key));
  }

  private Optional<Integer> port(Fields f, String field, int fallback) {
    return value(f, field, fallback, n -> Values.integer(src, f.path(field), n, 1, 65535));
  }
}
