package dev.trellis.render;

import dev.trellis.model.AuthzMode;
import dev.trellis.model.Dependency;
import dev.trellis.model.EdgeExposure;
import dev.trellis.model.Endpoints;
import dev.trellis.model.Gateway;
import dev.trellis.model.HostPort;
import dev.trellis.model.Mesh;
import dev.trellis.model.MeshConfig;
import dev.trellis.model.MtlsMode;
import dev.trellis.model.Protocol;
import dev.trellis.model.Provenance;
import dev.trellis.model.ServiceDef;
import dev.trellis.model.SourceLocation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Builds {@link Mesh}es the way the loader would, with provenance pointing at plausible lines of
 * {@code services/<name>.yaml} and {@code mesh.yaml}.
 */
final class MeshFixture {

  private final List<Gateway> gateways = new ArrayList<>();
  private final Map<String, SourceLocation> meshFields = new HashMap<>();
  private final SortedMap<String, ServiceDef> services = new TreeMap<>();
  private final SortedMap<String, String> overrides = new TreeMap<>();
  private int inboundPort = 15006;
  private int outboundPort = 15001;

  static MeshFixture mesh() {
    return new MeshFixture();
  }

  /**
   * A small shop: an edge gateway, HTTP and gRPC services with and without sidecars, a TCP store,
   * zones, timeouts and retries.
   */
  static MeshFixture shop() {
    return mesh()
        .gateway("public", 8443, 8080)
        .service(
            "web",
            s ->
                s.http(8080)
                    .sidecar(true)
                    .instances("10.0.0.11", "10.0.0.12")
                    .dependsOn("catalog", Duration.ofSeconds(2), 2)
                    .dependsOn("orders", Duration.ofMillis(1500), 3)
                    .dependsOn("redis", null, 1)
                    .expose(
                        "public", List.of("shop.example.com", "www.shop.example.com"), List.of()))
        .service(
            "admin",
            s ->
                s.http(8090)
                    .sidecar(true)
                    .instances("10.0.0.21")
                    .dependsOn("orders", null, 0)
                    .expose(
                        "public", List.of("admin.example.com"), List.of("/admin", "/api/admin")))
        .service(
            "catalog",
            s ->
                s.http(8081)
                    .sidecar(true)
                    .instance("10.0.1.2", 8081, "zone-b")
                    .instance("10.0.1.1", 8081, "zone-a")
                    .dependsOn("inventory", Duration.ofMillis(250), 0))
        .service(
            "orders",
            s ->
                s.grpc(9090)
                    .sidecar(false)
                    .instance("10.0.2.1", 9090, "zone-a")
                    .instance("10.0.2.2", 9090, "zone-b")
                    .instance("10.0.2.3", 9090, "zone-b")
                    .dependsOn("payments", Duration.ofSeconds(3), 1)
                    .dependsOn("inventory", null, 0))
        .service("payments", s -> s.grpc(9091).sidecar(true).instance("10.0.3.1", 9091, "zone-a"))
        .service("inventory", s -> s.grpc(9092).sidecar(true).instances("10.0.4.1"))
        .service("redis", s -> s.tcp(6379).sidecar(false).instances("10.0.9.1"));
  }

  MeshFixture gateway(String name, int httpsPort, int httpPort) {
    meshFields.put(
        "gateways[" + gateways.size() + "]",
        new SourceLocation("mesh.yaml", 4 + 4 * gateways.size(), 5));
    gateways.add(new Gateway(name, httpsPort, httpPort));
    return this;
  }

  MeshFixture ports(int inbound, int outbound) {
    this.inboundPort = inbound;
    this.outboundPort = outbound;
    return this;
  }

  MeshFixture service(String name, Consumer<Service> spec) {
    Service s = new Service(name);
    spec.accept(s);
    services.put(name, s.build());
    return this;
  }

  MeshFixture override(String path, String text) {
    overrides.put(path, text);
    return this;
  }

  Mesh build() {
    meshFields.put("", SourceLocation.ofFile(MeshConfig.FILE));
    MeshConfig config =
        new MeshConfig(
            "shop",
            "shop.local",
            MtlsMode.DISABLE,
            inboundPort,
            outboundPort,
            gateways,
            new Provenance(MeshConfig.FILE, meshFields));
    return new Mesh(config, services, overrides);
  }

  /** One service file being written top to bottom; every field gets the next line. */
  static final class Service {
    private final String name;
    private final String file;
    private final Map<String, SourceLocation> fields = new HashMap<>();
    private int line = 1;
    private Protocol protocol = Protocol.HTTP;
    private int port = 8080;
    private boolean sidecar = true;
    private boolean proxyless;
    private Optional<MtlsMode> mtls = Optional.empty();
    private AuthzMode authz = AuthzMode.AUDIT;
    private final List<HostPort> instances = new ArrayList<>();
    private final List<Dependency> dependencies = new ArrayList<>();
    private EdgeExposure edge;

    private Service(String name) {
      this.name = name;
      this.file = "services/" + name + ".yaml";
      fields.put("", SourceLocation.ofFile(file));
      field("name");
    }

    private void field(String path) {
      fields.put(path, new SourceLocation(file, line++, path.contains("[") ? 5 : 1));
    }

    Service http(int port) {
      return protocol(Protocol.HTTP, port);
    }

    Service grpc(int port) {
      return protocol(Protocol.GRPC, port);
    }

    Service tcp(int port) {
      return protocol(Protocol.TCP, port);
    }

    private Service protocol(Protocol p, int port) {
      this.protocol = p;
      this.port = port;
      field("protocol");
      field("port");
      return this;
    }

    Service sidecar(boolean sidecar) {
      this.sidecar = sidecar;
      field("sidecar");
      return this;
    }

    Service proxyless() {
      this.sidecar = false;
      this.proxyless = true;
      field("proxyless");
      return this;
    }

    Service mtls(MtlsMode mode) {
      this.mtls = Optional.of(mode);
      field("mtls");
      return this;
    }

    Service authz(AuthzMode mode) {
      this.authz = mode;
      field("authz");
      return this;
    }

    Service instances(String... hosts) {
      for (String h : hosts) {
        instance(h, port, "");
      }
      return this;
    }

    Service instance(String host, int port, String zone) {
      field("endpoints.static[" + instances.size() + "]");
      instances.add(new HostPort(host, port, zone));
      return this;
    }

    Service dependsOn(String callee, Duration timeout, int retries) {
      field("dependencies[" + dependencies.size() + "]");
      dependencies.add(new Dependency(callee, Optional.ofNullable(timeout), retries));
      return this;
    }

    Service expose(String gateway, List<String> hosts, List<String> paths) {
      field("edge");
      edge = new EdgeExposure(gateway, hosts, paths);
      return this;
    }

    ServiceDef build() {
      return new ServiceDef(
          name,
          "team-" + name,
          protocol,
          port,
          sidecar,
          proxyless,
          mtls,
          authz,
          new Endpoints(instances, Optional.empty()),
          dependencies,
          Optional.ofNullable(edge),
          new Provenance(file, fields));
    }
  }
}
