package dev.trellis.model.load;

import dev.trellis.model.AuthzMode;
import dev.trellis.model.Dependency;
import dev.trellis.model.EdgeExposure;
import dev.trellis.model.Endpoints;
import dev.trellis.model.MtlsMode;
import dev.trellis.model.Protocol;
import dev.trellis.model.ServiceDef;
import dev.trellis.model.SourceLocation;
import dev.trellis.model.TrafficPolicy;
import dev.trellis.model.XdsClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.Node;

/** Reads and validates one {@code services/<name>.yaml} file. */
final class ServiceReader {

  static final List<String> FIELDS =
      List.of(
          "name",
          "owner",
          "protocol",
          "port",
          "sidecar",
          "proxyless",
          "clients",
          "mtls",
          "authz",
          "endpoints",
          "dependencies",
          "edge");
  static final List<String> DEPENDENCY_FIELDS = dependencyFields();

  private final Source src;
  private final String stem;
  private final MeshFile mesh;
  private Optional<Ref> name = Optional.empty();
  private final List<Ref> dependencyNames = new ArrayList<>();

  private ServiceReader(Source src, String stem, MeshFile mesh) {
    this.src = src;
    this.stem = stem;
    this.mesh = mesh;
  }

  /** Reads {@code file}, whose file name without extension is {@code stem}. */
  static ServiceFile read(String file, String stem, String text, Problems problems, MeshFile mesh) {
    ServiceReader reader = new ServiceReader(new Source(file, problems), stem, mesh);
    Optional<ServiceDef> service =
        YamlDocument.parse(reader.src, text, "expected a service definition")
            .flatMap(reader::service);
    return new ServiceFile(file, stem, reader.name, reader.dependencyNames, service);
  }

  private Optional<ServiceDef> service(Node root) {
    Optional<Fields> opened = Fields.open(src, "", root, FIELDS);
    if (opened.isEmpty()) {
      return Optional.empty();
    }
    Fields f = opened.get();
    Optional<String> serviceName = f.required("name").flatMap(this::name);
    Optional<String> owner =
        f.required("owner").flatMap(n -> Values.text(src, "owner", n, Syntax.OWNER));
    Optional<Protocol> protocol =
        f.required("protocol").flatMap(n -> Values.choice(src, "protocol", n, Protocol.class));
    Optional<Integer> port =
        f.required("port").flatMap(n -> Values.integer(src, "port", n, 1, 65535));
    Optional<Boolean> sidecar =
        f.optional("sidecar").map(n -> Values.bool(src, "sidecar", n)).orElse(Optional.of(false));
    Optional<Boolean> proxyless =
        f.optional("proxyless")
            .map(n -> Values.bool(src, "proxyless", n))
            .orElse(Optional.of(false));
    if (sidecar.orElse(false) && proxyless.orElse(false)) {
      src.invalid(
          f.optional("proxyless").orElseThrow(),
          "proxyless",
          "a service is either behind a sidecar or proxyless, not both");
    }
    List<XdsClient> clients =
        f.optional("clients").map(n -> clients(n, proxyless.orElse(false))).orElse(List.of());
    Optional<MtlsMode> mtls =
        f.optional("mtls").flatMap(n -> Values.choice(src, "mtls", n, MtlsMode.class));
    Optional<AuthzMode> authz =
        f.optional("authz")
            .map(n -> Values.choice(src, "authz", n, AuthzMode.class))
            .orElse(Optional.of(AuthzMode.AUDIT));
    Optional<Endpoints> endpoints =
        f.optional("endpoints")
            .map(n -> EndpointsReader.read(src, "endpoints", n))
            .orElse(Optional.of(Endpoints.NONE));
    List<Dependency> dependencies =
        f.optional("dependencies").map(n -> dependencies(n, serviceName)).orElse(List.of());
    Optional<EdgeExposure> edge =
        f.optional("edge").flatMap(n -> EdgeReader.read(src, "edge", n, mesh));

    if (!src.clean()) {
      return Optional.empty();
    }
    return Optional.of(
        new ServiceDef(
            serviceName.orElseThrow(),
            owner.orElseThrow(),
            protocol.orElseThrow(),
            port.orElseThrow(),
            sidecar.orElseThrow(),
            proxyless.orElseThrow(),
            mtls,
            authz.orElseThrow(),
            endpoints.orElseThrow(),
            dependencies,
            edge,
            src.provenance(),
            clients));
  }

  private List<XdsClient> clients(Node node, boolean proxyless) {
    if (!proxyless) {
      src.invalid(
          node,
          "clients",
          "only a proxyless service names its gRPC clients; this service is served through Envoy");
      return List.of();
    }
    List<String> labels = XdsClient.GRPC.stream().map(XdsClient::label).toList();
    List<XdsClient> out = new ArrayList<>();
    Map<XdsClient, SourceLocation> seen = new HashMap<>();
    for (Values.Item item : Values.nonEmptyItems(src, "clients", node).orElse(List.of())) {
      Optional<String> value = Values.text(src, item.path(), item.node());
      if (value.isEmpty()) {
        continue;
      }
      Optional<XdsClient> client = XdsClient.ofLabel(value.get()).filter(XdsClient.GRPC::contains);
      if (client.isEmpty()) {
        src.invalid(
            item.node(),
            item.path(),
            "invalid value '"
                + Values.quote(value.get())
                + "' (expected one of: "
                + String.join(", ", labels)
                + Suggestions.hint(value.get(), labels)
                + ")");
        continue;
      }
      SourceLocation first = seen.putIfAbsent(client.get(), src.at(item.node()));
      if (first != null) {
        src.invalid(
            item.node(),
            item.path(),
            "duplicate client '"
                + value.get()
                + "' (first at "
                + Values.position(first, src.at(item.node()))
                + ")");
        continue;
      }
      out.add(client.get());
    }
    return out;
  }

  private Optional<String> name(Node node) {
    Optional<String> value = Values.text(src, "name", node, Syntax.DNS_LABEL);
    value.ifPresent(
        v -> {
          name = Optional.of(new Ref(v, "name", src.at(node)));
          if (!v.equals(stem)) {
            src.invalid(
                node, "name", "'" + v + "' does not match the file name '" + fileName() + "'");
          }
        });
    return value;
  }

  private String fileName() {
    return src.file().substring(src.file().lastIndexOf('/') + 1);
  }

  private List<Dependency> dependencies(Node node, Optional<String> self) {
    List<Dependency> out = new ArrayList<>();
    Map<String, Ref> seen = new HashMap<>();
    for (Values.Item item : Values.items(src, "dependencies", node).orElse(List.of())) {
      Optional<Fields> opened = Fields.open(src, item.path(), item.node(), DEPENDENCY_FIELDS);
      if (opened.isEmpty()) {
        continue;
      }
      Fields f = opened.get();
      String namePath = f.path("name");
      Optional<String> target =
          f.required("name").flatMap(n -> dependencyName(namePath, n, self, seen));
      Optional<TrafficPolicy> policy = TrafficPolicyReader.read(src, f);
      if (target.isPresent() && policy.isPresent()) {
        out.add(new Dependency(target.get(), policy.get()));
      }
    }
    return out;
  }

  private static List<String> dependencyFields() {
    List<String> fields = new ArrayList<>();
    fields.add("name");
    fields.addAll(TrafficPolicyReader.FIELDS);
    return List.copyOf(fields);
  }

  private Optional<String> dependencyName(
      String path, Node node, Optional<String> self, Map<String, Ref> seen) {
    Optional<String> value = Values.text(src, path, node, Syntax.DNS_LABEL);
    if (value.isEmpty()) {
      return value;
    }
    String target = value.get();
    Ref ref = new Ref(target, path, src.at(node));
    if (self.isPresent() && self.get().equals(target)) {
      src.invalid(node, path, "service '" + target + "' cannot depend on itself");
      return Optional.empty();
    }
    Ref first = seen.putIfAbsent(target, ref);
    if (first != null) {
      src.invalid(
          node,
          path,
          "duplicate dependency '"
              + target
              + "' (first at "
              + Values.position(first.at(), ref.at())
              + ")");
      return Optional.empty();
    }
    dependencyNames.add(ref);
    return value;
  }
}
