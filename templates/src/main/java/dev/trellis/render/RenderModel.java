package dev.trellis.render;

import static dev.trellis.render.DefinitionMap.plain;

import dev.trellis.model.Dependency;
import dev.trellis.model.Gateway;
import dev.trellis.model.HostPort;
import dev.trellis.model.Mesh;
import dev.trellis.model.MeshConfig;
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
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
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

  private final Supplier<Map<String, List<String>>> principals;

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
    this.meshMap = meshMap(mesh.config());
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

  /**
   * Everything the contexts of a service's group (sidecar or gRPC) are made of. They are built by
   * static methods from this record alone ({@link #bindings(ServiceInputs)}, {@link
   * #endpointBindings(ServiceInputs)}, {@link #root()}), so equal inputs give equal contexts: the
   * renderer reuses a group whose inputs equal the last render's without building its contexts.
   *
   * @param callees the service's dependencies' definitions, in dependency order
   * @param principals the identities allowed to call the service (see {@link #principals(Mesh)})
   * @param discovered each callee's discovered instances, in dependency order
   */
  record ServiceInputs(
      ProxyGroup group,
      MeshConfig config,
      ServiceDef service,
      List<ServiceDef> callees,
      List<String> principals,
      List<List<HostPort>> discovered) {

    SourceLocation root() {
      return serviceLocation(service);
    }

    /** The mesh methods the contexts use answer from the config alone. */
    private Mesh meshView() {
      return new Mesh(config, new TreeMap<>(), new TreeMap<>());
    }
  }

  /** The inputs of a sidecar or gRPC group; empty for an edge group. */
  Optional<ServiceInputs> serviceInputs(ProxyGroup group) {
    if (group.kind() == ProxyKind.EDGE) {
      return Optional.empty();
    }
    ServiceDef s = service(group);
    List<ServiceDef> callees = new ArrayList<>(s.dependencies().size());
    List<List<HostPort>> found = new ArrayList<>(s.dependencies().size());
    for (int i = 0; i < s.dependencies().size(); i++) {
      ServiceDef callee = callee(s, i);
      callees.add(callee);
      found.add(List.copyOf(discovered.of(callee.name())));
    }
    return Optional.of(
        new ServiceInputs(
            group, mesh.config(), s, List.copyOf(callees), principalsOf(s), List.copyOf(found)));
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
      case SIDECAR, GRPC -> bindings(serviceInputs(group).orElseThrow());
      case EDGE ->
          plain(
              "mesh", meshMap,
              "group", groupMap(group),
              "gateway", gatewayMap(group.name()),
              "exposed", exposures(group.name()),
              "lua", PolicyModel.edgeLua(mesh, mesh.gateway(group.name()).orElseThrow()));
    };
  }

  /** The context of the non-endpoints templates of a sidecar or gRPC group. */
  static Map<String, Object> bindings(ServiceInputs in) {
    List<DefinitionMap> deps = dependencies(in);
    Map<String, Object> meshMap = meshMap(in.config());
    if (in.group().kind() == ProxyKind.SIDECAR) {
      return plain(
          "mesh", meshMap,
          "group", groupMap(in.group()),
          "service", serviceMap(in),
          "dependencies", deps,
          "http_dependencies", deps.stream().filter(d -> (boolean) d.get("is_http")).toList(),
          "tcp_dependencies", deps.stream().filter(d -> (boolean) d.get("is_tcp")).toList());
    }
    return plain(
        "mesh", meshMap,
        "group", groupMap(in.group()),
        "service", serviceMap(in),
        "dependencies", deps,
        "grpc_dependencies", deps.stream().filter(d -> (boolean) d.get("is_grpc")).toList());
  }

  /**
   * The context of the endpoints template of {@code group}: {@code clusters}, one per EDS cluster
   * the group's other templates are expected to render, each with its resolved instances.
   */
  Map<String, Object> endpointBindings(ProxyGroup group) {
    if (group.kind() != ProxyKind.EDGE) {
      return endpointBindings(serviceInputs(group).orElseThrow());
    }
    List<DefinitionMap> clusters = new ArrayList<>();
    for (ServiceDef s : mesh.exposedThrough(group.name()).values()) {
      clusters.add(
          endpointTarget(
              s.name(),
              s,
              s.provenance().locate("edge"),
              localities(s, discovered.of(s.name()), mesh.config().inboundPort())));
    }
    return plain("mesh", meshMap, "group", groupMap(group), "clusters", List.copyOf(clusters));
  }

  /** The context of the endpoints template of a sidecar or gRPC group. */
  static Map<String, Object> endpointBindings(ServiceInputs in) {
    List<DefinitionMap> clusters = new ArrayList<>();
    ServiceDef s = in.service();
    for (int i = 0; i < s.dependencies().size(); i++) {
      ServiceDef callee = in.callees().get(i);
      if (in.group().kind() == ProxyKind.GRPC && callee.protocol() != Protocol.GRPC) {
        continue;
      }
      clusters.add(
          endpointTarget(
              s.dependencies().get(i).name(),
              callee,
              dependencyLocation(s, i),
              localities(callee, in.discovered().get(i), in.config().inboundPort())));
    }
    return plain(
        "mesh",
        meshMap(in.config()),
        "group",
        groupMap(in.group()),
        "clusters",
        List.copyOf(clusters));
  }

  private static DefinitionMap endpointTarget(
      String cluster, ServiceDef callee, SourceLocation at, List<Map<String, Object>> locs) {
    List<Object> all = new ArrayList<>();
    locs.forEach(l -> all.addAll((List<?>) l.get("endpoints")));
    return DefinitionMap.at(at)
        .put("name", cluster)
        .put("service", callee.name())
        .put("localities", locs)
        .put("endpoints", List.copyOf(all))
        .build();
  }

  /** A callee's instances as callers dial them, grouped by zone. */
  private static List<Map<String, Object>> localities(
      ServiceDef callee, List<HostPort> discovered, int inbound) {
    Set<HostPort> instances = new LinkedHashSet<>(callee.endpoints().staticEndpoints());
    instances.addAll(discovered);
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

  private static List<DefinitionMap> dependencies(ServiceInputs in) {
    ServiceDef s = in.service();
    Mesh mesh = in.meshView();
    List<DefinitionMap> out = new ArrayList<>(s.dependencies().size());
    for (int i = 0; i < s.dependencies().size(); i++) {
      Dependency d = s.dependencies().get(i);
      ServiceDef callee = in.callees().get(i);
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

  private static DefinitionMap serviceMap(ServiceInputs in) {
    ServiceDef s = in.service();
    Mesh mesh = in.meshView();
    return protocolFields(DefinitionMap.at(serviceLocation(s)), s.protocol())
        .put("name", s.name())
        .put("owner", s.owner())
        .put("port", s.port())
        .put("sidecar", s.sidecar())
        .put("mtls", lower(mesh.mtlsOf(s)))
        .put("proxyless", s.proxyless())
        .put("authz", lower(s.authz()))
        .put("identity", mesh.identityOf(s.name()))
        .put("allowed_principals", in.principals())
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

  private static Map<String, Object> meshMap(MeshConfig c) {
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
