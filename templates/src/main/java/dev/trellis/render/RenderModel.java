package dev.trellis.render;

import static dev.trellis.render.DefinitionMap.plain;

import dev.trellis.model.Dependency;
import dev.trellis.model.Gateway;
import dev.trellis.model.HostPort;
import dev.trellis.model.Mesh;
import dev.trellis.model.Protocol;
import dev.trellis.model.ServiceDef;
import dev.trellis.model.SourceLocation;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The template context of each proxy group, built from a mesh as plain read-only maps and lists.
 *
 * <p>Endpoints are only visible to endpoints templates ({@link #endpointBindings}); the other
 * templates cannot depend on them, so an endpoint change never needs more than an EDS re-render.
 */
final class RenderModel {

  private static final Comparator<HostPort> INSTANCE_ORDER =
      Comparator.comparing(HostPort::zone)
          .thenComparing(HostPort::host)
          .thenComparingInt(HostPort::port);

  private final Mesh mesh;
  private final DiscoveredEndpoints discovered;
  private final Map<String, Object> meshMap;
  private final Map<String, List<Map<String, Object>>> localities = new ConcurrentHashMap<>();

  private final Supplier<Map<String, List<String>>> principals;

  private final Map<String, List<DefinitionMap>> dependencyMaps = new ConcurrentHashMap<>();
  private final Map<String, DefinitionMap> serviceMaps = new ConcurrentHashMap<>();

  /**
   * @param principals the identities allowed to call each service (see {@link #principals(Mesh)}):
   *     a pass over the whole mesh, so the caller shares it between renders of the same mesh and
   *     only asks for it when a template context needs it
   */
  RenderModel(
      Mesh mesh, DiscoveredEndpoints discovered, Supplier<Map<String, List<String>>> principals) {
    this.principals = principals;
    this.mesh = mesh;
    this.discovered = discovered;
    this.meshMap = meshMap(mesh);
  }

  /**
   * The identities each service's inbound authorization allows: every service that declares it as a
   * dependency, and the gateway that exposes it; sorted. Built once: one pass over the mesh.
   */
  /** The identities allowed to call {@code service}, from the mesh-wide index. */
  private List<String> principalsOf(ServiceDef service) {
    return principals.get().getOrDefault(service.name(), List.of());
  }

  static Map<String, List<String>> principals(Mesh mesh) {
    Map<String, TreeSet<String>> byCallee = new HashMap<>();
    for (ServiceDef caller : mesh.services().values()) {
      for (Dependency d : caller.dependencies()) {
        byCallee
            .computeIfAbsent(d.name(), n -> new TreeSet<>())
            .add(mesh.identityOf(caller.name()));
      }
      caller
          .edge()
          .ifPresent(
              e ->
                  byCallee
                      .computeIfAbsent(caller.name(), n -> new TreeSet<>())
                      .add(mesh.gatewayIdentity(e.gateway())));
    }
    Map<String, List<String>> out = new HashMap<>();
    byCallee.forEach((n, ids) -> out.put(n, List.copyOf(ids)));
    return out;
  }

  Mesh mesh() {
    return mesh;
  }

  /** Every proxy group the mesh needs, in id order. */
  static List<ProxyGroup> groupsOf(Mesh mesh) {
    List<ProxyGroup> groups = new ArrayList<>();
    for (ServiceDef s : mesh.services().values()) {
      if (s.sidecar()) {
        groups.add(ProxyGroup.sidecar(s.name()));
      }
      if (s.protocol() == Protocol.GRPC || hasGrpcDependency(mesh, s)) {
        groups.add(ProxyGroup.grpc(s.name()));
      }
    }
    for (Gateway g : mesh.config().gateways()) {
      groups.add(ProxyGroup.edge(g.name()));
    }
    groups.sort(Comparator.naturalOrder());
    return groups;
  }

  /** Whether {@code group} is one of {@link #groupsOf}, without listing them all. */
  static boolean exists(Mesh mesh, ProxyGroup group) {
    ProxyGroup canonical =
        switch (group.kind()) {
          case SIDECAR -> ProxyGroup.sidecar(group.name());
          case EDGE -> ProxyGroup.edge(group.name());
          case GRPC -> ProxyGroup.grpc(group.name());
        };
    if (!canonical.equals(group)) {
      return false;
    }
    return switch (group.kind()) {
      case SIDECAR -> mesh.service(group.name()).map(ServiceDef::sidecar).orElse(false);
      case EDGE -> mesh.gateway(group.name()).isPresent();
      case GRPC ->
          mesh.service(group.name())
              .map(s -> s.protocol() == Protocol.GRPC || hasGrpcDependency(mesh, s))
              .orElse(false);
    };
  }

  private static boolean hasGrpcDependency(Mesh mesh, ServiceDef s) {
    return s.dependencies().stream()
        .anyMatch(
            d -> mesh.service(d.name()).map(c -> c.protocol() == Protocol.GRPC).orElse(false));
  }

  /** The definition a group's config stands for: its service, or its gateway in mesh.yaml. */
  SourceLocation rootDefinition(ProxyGroup group) {
    return switch (group.kind()) {
      case SIDECAR, GRPC -> serviceLocation(service(group));
      case EDGE -> gatewayLocation(group.name());
    };
  }

  /** The context of the listeners, routes, clusters and secrets templates of {@code group}. */
  Map<String, Object> bindings(ProxyGroup group) {
    return switch (group.kind()) {
      case SIDECAR -> {
        ServiceDef s = service(group);
        List<DefinitionMap> deps = dependencyMaps.computeIfAbsent(s.name(), n -> dependencies(s));
        yield plain(
            "mesh", meshMap,
            "group", groupMap(group),
            "service", serviceMaps.computeIfAbsent(s.name(), n -> serviceMap(s)),
            "dependencies", deps,
            "http_dependencies", deps.stream().filter(d -> (boolean) d.get("is_http")).toList(),
            "tcp_dependencies", deps.stream().filter(d -> (boolean) d.get("is_tcp")).toList());
      }
      case GRPC -> {
        ServiceDef s = service(group);
        List<DefinitionMap> deps = dependencyMaps.computeIfAbsent(s.name(), n -> dependencies(s));
        yield plain(
            "mesh", meshMap,
            "group", groupMap(group),
            "service", serviceMaps.computeIfAbsent(s.name(), n -> serviceMap(s)),
            "dependencies", deps,
            "grpc_dependencies", deps.stream().filter(d -> (boolean) d.get("is_grpc")).toList());
      }
      case EDGE ->
          plain(
              "mesh", meshMap,
              "group", groupMap(group),
              "gateway", gatewayMap(group.name()),
              "exposed", exposures(group.name()),
              "lua", PolicyModel.edgeLua(mesh, mesh.gateway(group.name()).orElseThrow()));
    };
  }

  /**
   * The context of the endpoints template of {@code group}: {@code clusters}, one per EDS cluster
   * the group's other templates are expected to render, each with its resolved instances.
   */
  Map<String, Object> endpointBindings(ProxyGroup group) {
    List<DefinitionMap> clusters = new ArrayList<>();
    switch (group.kind()) {
      case SIDECAR, GRPC -> {
        ServiceDef s = service(group);
        for (int i = 0; i < s.dependencies().size(); i++) {
          Dependency d = s.dependencies().get(i);
          ServiceDef callee = callee(s, i);
          if (group.kind() == ProxyKind.GRPC && callee.protocol() != Protocol.GRPC) {
            continue;
          }
          clusters.add(endpointTarget(d.name(), callee, dependencyLocation(s, i)));
        }
      }
      case EDGE -> {
        for (ServiceDef s : mesh.exposedThrough(group.name()).values()) {
          clusters.add(endpointTarget(s.name(), s, s.provenance().locate("edge")));
        }
      }
    }
    return plain("mesh", meshMap, "group", groupMap(group), "clusters", List.copyOf(clusters));
  }

  private DefinitionMap endpointTarget(String cluster, ServiceDef callee, SourceLocation at) {
    List<Map<String, Object>> locs = localitiesOf(callee);
    List<Object> all = new ArrayList<>();
    locs.forEach(l -> all.addAll((List<?>) l.get("endpoints")));
    return DefinitionMap.at(at)
        .put("name", cluster)
        .put("service", callee.name())
        .put("localities", locs)
        .put("endpoints", List.copyOf(all))
        .build();
  }

  /** A callee's instances as callers dial them, grouped by zone; cached for the whole render. */
  private List<Map<String, Object>> localitiesOf(ServiceDef callee) {
    return localities.computeIfAbsent(callee.name(), n -> computeLocalities(callee));
  }

  private List<Map<String, Object>> computeLocalities(ServiceDef callee) {
    Set<HostPort> instances = new LinkedHashSet<>(callee.endpoints().staticEndpoints());
    instances.addAll(discovered.of(callee.name()));
    int inbound = mesh.config().inboundPort();
    TreeMap<String, Set<HostPort>> byZone = new TreeMap<>();
    instances.stream()
        .map(h -> callee.sidecar() ? new HostPort(h.host(), inbound, h.zone()) : h)
        .sorted(INSTANCE_ORDER)
        .forEach(h -> byZone.computeIfAbsent(h.zone(), z -> new LinkedHashSet<>()).add(h));
    List<Map<String, Object>> out = new ArrayList<>();
    byZone.forEach(
        (zone, hosts) ->
            out.add(
                plain(
                    "zone", zone,
                    "weight", hosts.size(),
                    "endpoints",
                        hosts.stream()
                            .map(h -> plain("host", h.host(), "port", h.port(), "zone", h.zone()))
                            .toList())));
    return List.copyOf(out);
  }

  private ServiceDef service(ProxyGroup group) {
    return mesh.service(group.name())
        .orElseThrow(() -> new IllegalArgumentException("group '" + group + "' names no service"));
  }

  private ServiceDef callee(ServiceDef caller, int i) {
    String name = caller.dependencies().get(i).name();
    return mesh.service(name)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "Service '"
                        + caller.name()
                        + "' ("
                        + dependencyLocation(caller, i)
                        + ") depends on '"
                        + name
                        + "', which is not defined"));
  }

  private List<DefinitionMap> dependencies(ServiceDef s) {
    List<DefinitionMap> out = new ArrayList<>(s.dependencies().size());
    for (int i = 0; i < s.dependencies().size(); i++) {
      Dependency d = s.dependencies().get(i);
      ServiceDef callee = callee(s, i);
      DefinitionMap.Builder b =
          protocolFields(DefinitionMap.at(dependencyLocation(s, i)), callee.protocol())
              .put("name", d.name())
              .put("cluster", d.name())
              .put("port", callee.port());
      out.add(
          PolicyModel.trafficFields(b, mesh.policyOf(d), callee.protocol())
              .put("callee_sidecar", callee.sidecar())
              .put("callee_mtls", lower(mesh.mtlsOf(callee)))
              .put("mtls", mesh.servedMtls(callee).acceptsMtls())
              .put("identity", mesh.identityOf(callee.name()))
              .build());
    }
    return List.copyOf(out);
  }

  private DefinitionMap serviceMap(ServiceDef s) {
    return protocolFields(DefinitionMap.at(serviceLocation(s)), s.protocol())
        .put("name", s.name())
        .put("owner", s.owner())
        .put("port", s.port())
        .put("sidecar", s.sidecar())
        .put("mtls", lower(mesh.mtlsOf(s)))
        .put("proxyless", s.proxyless())
        .put("authz", lower(s.authz()))
        .put("identity", mesh.identityOf(s.name()))
        .put("allowed_principals", principalsOf(s))
        .put(
            "edge",
            s.edge()
                .map(e -> plain("gateway", e.gateway(), "hosts", e.hosts(), "paths", e.paths()))
                .orElse(Map.of()))
        .build();
  }

  private List<DefinitionMap> exposures(String gateway) {
    List<DefinitionMap> out = new ArrayList<>();
    for (ServiceDef s : mesh.exposedThrough(gateway).values()) {
      var edge = s.edge().orElseThrow();
      DefinitionMap.Builder b =
          protocolFields(DefinitionMap.at(s.provenance().locate("edge")), s.protocol())
              .put("name", s.name())
              .put("cluster", s.name())
              .put("port", s.port())
              .put("hosts", edge.hosts())
              .put("paths", edge.paths());
      out.add(
          PolicyModel.edgeFields(b, mesh, s.name(), edge, s.protocol())
              .put("callee_sidecar", s.sidecar())
              .put("callee_mtls", lower(mesh.mtlsOf(s)))
              .put("mtls", mesh.servedMtls(s).acceptsMtls())
              .put("identity", mesh.identityOf(s.name()))
              .build());
    }
    return List.copyOf(out);
  }

  private DefinitionMap gatewayMap(String name) {
    Gateway g =
        mesh.gateway(name)
            .orElseThrow(
                () -> new IllegalArgumentException("group '" + name + "' names no gateway"));
    return PolicyModel.gatewayFields(
            DefinitionMap.at(gatewayLocation(name))
                .put("name", g.name())
                .put("http_port", g.httpPort())
                .put("https_port", g.httpsPort())
                .put("identity", mesh.gatewayIdentity(g.name())),
            g)
        .build();
  }

  private static DefinitionMap.Builder protocolFields(DefinitionMap.Builder b, Protocol p) {
    return b.put("protocol", lower(p))
        .put("is_http", p.isHttp())
        .put("is_grpc", p == Protocol.GRPC)
        .put("is_tcp", p == Protocol.TCP);
  }

  private static Map<String, Object> meshMap(Mesh mesh) {
    var c = mesh.config();
    return plain(
        "name", c.name(),
        "trust_domain", c.trustDomain(),
        "mtls_default", lower(c.mtlsDefault()),
        "inbound_port", c.inboundPort(),
        "outbound_port", c.outboundPort(),
        "gateways",
            c.gateways().stream()
                .map(
                    g ->
                        plain(
                            "name", g.name(),
                            "http_port", g.httpPort(),
                            "https_port", g.httpsPort()))
                .toList());
  }

  private static Map<String, Object> groupMap(ProxyGroup group) {
    return plain("id", group.id(), "kind", lower(group.kind()), "name", group.name());
  }

  private static SourceLocation serviceLocation(ServiceDef s) {
    return s.provenance().locate("name");
  }

  private static SourceLocation dependencyLocation(ServiceDef s, int i) {
    return s.provenance().locate("dependencies[" + i + "]");
  }

  private SourceLocation gatewayLocation(String name) {
    var gateways = mesh.config().gateways();
    for (int i = 0; i < gateways.size(); i++) {
      if (gateways.get(i).name().equals(name)) {
        return mesh.config().provenance().locate("gateways[" + i + "]");
      }
    }
    return mesh.config().provenance().locate("gateways");
  }

  private static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  /** A duration in the protobuf JSON form Envoy fields take, e.g. {@code 1.5s}. */
  static String protoDuration(Duration d) {
    BigDecimal seconds = BigDecimal.valueOf(d.getSeconds()).add(BigDecimal.valueOf(d.getNano(), 9));
    return seconds.stripTrailingZeros().toPlainString() + "s";
  }
}
