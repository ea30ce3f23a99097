package dev.trellis.model.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.model.DefinitionTree;
import dev.trellis.model.Dependency;
import dev.trellis.model.EdgeExposure;
import dev.trellis.model.Endpoints;
import dev.trellis.model.Gateway;
import dev.trellis.model.HostPort;
import dev.trellis.model.KubernetesRef;
import dev.trellis.model.Mesh;
import dev.trellis.model.MtlsMode;
import dev.trellis.model.Protocol;
import dev.trellis.model.ServiceDef;
import dev.trellis.model.TrafficPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Properties of loading over generated definition repos. */
class LoaderPropertyTest {

  /** A generated mesh: the services and gateways expected after loading, and its files. */
  record Generated(List<ServiceDef> services, List<Gateway> gateways, DefinitionTree tree) {}

  /** One service before its dependencies and edge exposure are tied to the other names. */
  record Seed(
      String owner,
      Protocol protocol,
      int port,
      boolean sidecar,
      Optional<MtlsMode> mtls,
      Endpoints endpoints,
      List<Integer> dependencies,
      List<String> timeouts,
      Optional<Integer> gateway,
      List<String> hosts,
      List<String> paths) {}

  @Property(tries = 100)
  void everyGeneratedValidMeshLoadsAsWritten(@ForAll("meshes") Generated g) {
    LoadResult result = DefinitionLoader.load(g.tree());

    assertThat(result.errors()).isEmpty();
    Mesh mesh = result.orElseThrow();
    assertThat(mesh.config().gateways()).isEqualTo(g.gateways());
    assertThat(mesh.services().values().stream().map(LoaderPropertyTest::withoutProvenance))
        .containsExactlyInAnyOrderElementsOf(g.services());
    for (ServiceDef s : mesh.services().values()) {
      for (int i = 0; i < s.dependencies().size(); i++) {
        assertThat(s.provenance().fields()).containsKey("dependencies[" + i + "].name");
      }
    }
  }

  @Property(tries = 100)
  void loadingIsDeterministic(
      @ForAll("meshes") Generated g,
      @ForAll @IntRange(min = 0, max = 50) int line,
      @ForAll("junk") String junk) {
    DefinitionTree tree = corrupt(g.tree(), line, junk);

    LoadResult first = DefinitionLoader.load(tree);
    LoadResult second = DefinitionLoader.load(new DefinitionTree(new TreeMap<>(tree.files())));

    assertThat(second).isEqualTo(first);
    assertThat(first.errors())
        .isSortedAccordingTo((a, b) -> a.location().compareTo(b.location()))
        .allSatisfy(e -> assertThat(tree.files()).containsKey(e.location().file()));
  }

  @Property(tries = 100)
  void anUnknownFieldIsExactlyOneErrorAtItsKey(
      @ForAll("meshes") Generated g, @ForAll @IntRange(min = 0, max = 20) int which) {
    List<String> files =
        g.tree().files().keySet().stream().filter(f -> f.startsWith("services/")).toList();
    String file = files.get(which % files.size());
    Map<String, String> changed = new TreeMap<>(g.tree().files());
    changed.put(file, changed.get(file) + "retrys: 2\n");
    int line = (int) changed.get(file).lines().count();

    LoadResult result = DefinitionLoader.load(new DefinitionTree(new TreeMap<>(changed)));

    assertThat(result.errors().stream().map(LoadError::toString))
        .containsExactly(
            file
                + ":"
                + line
                + ":1: unknown field 'retrys' (expected one of: "
                + String.join(", ", ServiceReader.FIELDS)
                + ")");
  }

  @Property(tries = 200)
  void arbitraryTextNeverThrowsAndErrorsPointIntoTheFile(
      @ForAll("junk") String service, @ForAll("junk") String mesh) {
    DefinitionTree tree = DefinitionLoaderTest.tree("mesh.yaml", mesh, "services/a.yaml", service);

    LoadResult result = DefinitionLoader.load(tree);

    assertThat(result.errors())
        .allSatisfy(
            e -> {
              String text = tree.files().get(e.location().file());
              assertThat(text).isNotNull();
              assertThat(e.location().line()).isBetween(1, (int) text.lines().count() + 1);
              assertThat(e.location().column()).isPositive();
              assertThat(e.message()).doesNotContain("\n").doesNotContain("\r");
            });
  }

  private static DefinitionTree corrupt(DefinitionTree tree, int line, String junk) {
    Map<String, String> files = new TreeMap<>(tree.files());
    String file = files.keySet().stream().skip(line % files.size()).findFirst().orElseThrow();
    List<String> lines = new ArrayList<>(files.get(file).lines().toList());
    lines.add(Math.min(line, lines.size()), junk);
    files.put(file, String.join("\n", lines) + "\n");
    return new DefinitionTree(new TreeMap<>(files));
  }

  static ServiceDef withoutProvenance(ServiceDef s) {
    return new ServiceDef(
        s.name(),
        s.owner(),
        s.protocol(),
        s.port(),
        s.sidecar(),
        s.mtls(),
        s.endpoints(),
        s.dependencies(),
        s.edge(),
        null);
  }

  @Provide
  Arbitrary<String> junk() {
    return Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(40),
        Arbitraries.strings().withChars(" \t\n:-[]{}&*!|>'\"%@`#,?~").ofMaxLength(20),
        Arbitraries.of(
            "port: x", "  - name: a", "---", "name: b", "{", "edge: {gateway: nope}", "<<: {}"));
  }

  /** DNS labels, built rather than filtered so that generation stays cheap. */
  static Arbitrary<String> labels() {
    Arbitrary<Character> edge = Arbitraries.chars().range('a', 'z').range('0', '9');
    Arbitrary<String> middle =
        Arbitraries.strings()
            .withCharRange('a', 'z')
            .withCharRange('0', '9')
            .withChars('-')
            .ofMaxLength(10);
    return Arbitraries.oneOf(
        edge.map(String::valueOf),
        Combinators.combine(edge, middle, edge).as((a, m, b) -> a + m + b));
  }

  /** Hostnames whose last label starts with a letter, so it is never all digits. */
  static Arbitrary<String> hostnames() {
    Arbitrary<String> last =
        Combinators.combine(Arbitraries.chars().range('a', 'z'), labels()).as((c, l) -> c + l);
    return Combinators.combine(labels().list().ofMaxSize(2), last)
        .as((l, t) -> l.isEmpty() ? t : String.join(".", l) + "." + t);
  }

  static Arbitrary<String> paths() {
    return Arbitraries.strings()
        .withCharRange('a', 'z')
        .withCharRange('0', '9')
        .withChars('/', '-', '.', '_', '~')
        .ofMaxLength(15)
        .map(s -> "/" + s);
  }

  static Arbitrary<Endpoints> endpoints() {
    Arbitrary<HostPort> hostPort =
        Combinators.combine(
                Arbitraries.oneOf(
                    hostnames(),
                    Arbitraries.integers()
                        .between(0, 255)
                        .list()
                        .ofSize(4)
                        .map(LoaderPropertyTest::dotted)),
                Arbitraries.integers().between(1, 65535),
                Arbitraries.oneOf(Arbitraries.just(""), labels()))
            .as(HostPort::new);
    Arbitrary<Optional<KubernetesRef>> k8s =
        Combinators.combine(labels(), labels()).as(KubernetesRef::new).optional();
    return Combinators.combine(hostPort.list().ofMaxSize(3).uniqueElements(HostPort::toString), k8s)
        .as(Endpoints::new);
  }

  private static String dotted(List<Integer> octets) {
    return octets.stream().map(String::valueOf).collect(Collectors.joining("."));
  }

  static Arbitrary<Seed> seeds() {
    Arbitrary<String> timeouts =
        Arbitraries.oneOf(
            Arbitraries.just(""),
            Combinators.combine(
                    Arbitraries.integers().between(1, 5000), Arbitraries.of("ms", "s", "m", "h"))
                .as((n, u) -> n + u));
    Arbitrary<Seed> first =
        Combinators.combine(
                Arbitraries.strings()
                    .withCharRange('a', 'z')
                    .withChars('.', '_', '@', '-')
                    .ofMaxLength(10)
                    .map(s -> "t" + s),
                Arbitraries.of(Protocol.class),
                Arbitraries.integers().between(1, 65535),
                Arbitraries.of(true, false),
                Arbitraries.of(MtlsMode.class).optional(),
                endpoints(),
                Arbitraries.integers().between(0, 7).list().ofMaxSize(4),
                timeouts.list().ofSize(4))
            .as(
                (owner, protocol, port, sidecar, mtls, endpoints, deps, times) ->
                    new Seed(
                        owner,
                        protocol,
                        port,
                        sidecar,
                        mtls,
                        endpoints,
                        deps,
                        times,
                        Optional.empty(),
                        List.of(),
                        List.of()));
    return Combinators.combine(
            first,
            Arbitraries.integers().between(0, 3).optional(),
            Arbitraries.oneOf(hostnames(), hostnames().map(h -> "*." + h))
                .list()
                .ofMinSize(1)
                .ofMaxSize(3)
                .uniqueElements(),
            paths().list().ofMaxSize(3).uniqueElements())
        .as(
            (s, gw, hosts, paths) ->
                new Seed(
                    s.owner(),
                    s.protocol(),
                    s.port(),
                    s.sidecar(),
                    s.mtls(),
                    s.endpoints(),
                    s.dependencies(),
                    s.timeouts(),
                    gw,
                    hosts,
                    paths));
  }

  @Provide
  Arbitrary<Generated> meshes() {
    return Combinators.combine(
            labels().list().ofMinSize(1).ofMaxSize(8).uniqueElements(),
            Arbitraries.integers().between(0, 3),
            seeds().list().ofSize(8))
        .as(LoaderPropertyTest::generate);
  }

  /** The first names become services, up to {@code gatewayCount} of the rest gateways. */
  private static Generated generate(List<String> names, int gatewayCount, List<Seed> seeds) {
    int serviceCount = Math.max(1, names.size() - gatewayCount);
    List<String> serviceNames = names.subList(0, serviceCount);
    List<Gateway> gateways = new ArrayList<>();
    for (String g : names.subList(serviceCount, names.size())) {
      gateways.add(new Gateway(g, 8443 + gateways.size(), 8000 + gateways.size()));
    }
    Map<String, String> files = new TreeMap<>();
    StringBuilder mesh = new StringBuilder("gateways:\n");
    gateways.forEach(
        g ->
            mesh.append("  - name: ")
                .append(g.name())
                .append("\n    httpsPort: ")
                .append(g.httpsPort())
                .append("\n    httpPort: ")
                .append(g.httpPort())
                .append('\n'));
    if (!gateways.isEmpty()) {
      files.put("mesh.yaml", mesh.toString());
    }
    List<ServiceDef> services = new ArrayList<>();
    for (int i = 0; i < serviceNames.size(); i++) {
      String name = serviceNames.get(i);
      Seed seed = seeds.get(i);
      Set<String> targets = new LinkedHashSet<>();
      seed.dependencies().forEach(d -> targets.add(serviceNames.get(d % serviceNames.size())));
      targets.remove(name);
      List<Dependency> deps = new ArrayList<>();
      int t = 0;
      for (String target : targets) {
        String timeout = seed.timeouts().get(t++);
        // Retries 0 is written out for even-length names only, else left to the default.
        deps.add(
            t % 3 == 0 && target.length() % 2 == 1
                ? new Dependency(
                    target,
                    new TrafficPolicy(
                        parse(timeout),
                        TrafficPolicy.Retries.NONE,
                        TrafficPolicy.CircuitBreakers.NONE,
                        TrafficPolicy.OutlierDetection.NONE,
                        Optional.empty()))
                : new Dependency(target, parse(timeout), t % 3));
      }
      Optional<EdgeExposure> edge =
          seed.gateway()
              .filter(x -> !gateways.isEmpty())
              .map(
                  x ->
                      new EdgeExposure(
                          gateways.get(x % gateways.size()).name(),
                          seed.hosts(),
                          seed.paths().isEmpty() ? List.of("/") : seed.paths()));
      ServiceDef def =
          new ServiceDef(
              name,
              seed.owner(),
              seed.protocol(),
              seed.port(),
              seed.sidecar(),
              seed.mtls(),
              seed.endpoints(),
              deps,
              edge,
              null);
      services.add(def);
      files.put("services/" + name + (i % 2 == 0 ? ".yaml" : ".yml"), write(def, seed, deps));
    }
    return new Generated(services, gateways, new DefinitionTree(new TreeMap<>(files)));
  }

  private static Optional<Duration> parse(String timeout) {
    if (timeout.isEmpty()) {
      return Optional.empty();
    }
    String unit = timeout.replaceAll("[0-9]", "");
    long n = Long.parseLong(timeout.substring(0, timeout.length() - unit.length()));
    return Optional.of(
        switch (unit) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          default -> Duration.ofHours(n);
        });
  }

  private static String format(Duration d) {
    if (d.toMillis() % 3_600_000 == 0) {
      return d.toHours() + "h";
    }
    if (d.toMillis() % 60_000 == 0) {
      return d.toMinutes() + "m";
    }
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }

  /** The service as YAML, mixing block and flow styles, quoted and plain scalars. */
  private static String write(ServiceDef s, Seed seed, List<Dependency> deps) {
    StringBuilder y = new StringBuilder();
    y.append("name: ").append(s.name()).append('\n');
    y.append("owner: \"").append(s.owner()).append("\"\n");
    y.append("protocol: ").append(lower(s.protocol())).append('\n');
    y.append("port: ").append(s.port()).append('\n');
    if (s.sidecar() || s.port() % 2 == 0) {
      y.append("sidecar: ").append(s.sidecar()).append('\n');
    }
    s.mtls().ifPresent(m -> y.append("mtls: ").append(lower(m)).append('\n'));
    Endpoints e = s.endpoints();
    if (!e.staticEndpoints().isEmpty() || e.kubernetes().isPresent()) {
      y.append("endpoints:\n");
      if (!e.staticEndpoints().isEmpty()) {
        y.append("  static:\n");
        for (HostPort hp : e.staticEndpoints()) {
          if (hp.zone().isEmpty()) {
            y.append("    - \"").append(hp).append("\"\n");
          } else {
            y.append("    - {address: \"")
                .append(hp)
                .append("\", zone: ")
                .append(hp.zone())
                .append("}\n");
          }
        }
      }
      e.kubernetes()
          .ifPresent(
              k ->
                  y.append("  kubernetes: {namespace: ")
                      .append(k.namespace())
                      .append(", service: ")
                      .append(k.service())
                      .append("}\n"));
    }
    if (!deps.isEmpty()) {
      y.append("dependencies:\n");
      for (Dependency d : deps) {
        y.append("  - name: ").append(d.name()).append('\n');
        d.timeout().ifPresent(t -> y.append("    timeout: ").append(format(t)).append('\n'));
        d.policy()
            .retries()
            .attempts()
            .ifPresent(r -> y.append("    retries: ").append(r).append('\n'));
      }
    }
    s.edge()
        .ifPresent(
            edge -> {
              y.append("edge:\n  gateway: ").append(edge.gateway()).append('\n');
              y.append("  hosts: [")
                  .append(
                      edge.hosts().stream()
                          .map(h -> "\"" + h + "\"")
                          .collect(Collectors.joining(", ")))
                  .append("]\n");
              if (!seed.paths().isEmpty()) {
                y.append("  paths:\n");
                edge.paths().forEach(p -> y.append("    - ").append(p).append('\n'));
              }
            });
    return y.toString();
  }

  private static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }
}
