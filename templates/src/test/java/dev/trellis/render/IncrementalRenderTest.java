package dev.trellis.render;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.model.AuthzMode;
import dev.trellis.model.HostPort;
import dev.trellis.model.Mesh;
import dev.trellis.model.MtlsMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** A render that reuses the previous one gives exactly what a full render gives. */
class IncrementalRenderTest {

  @Property(tries = 60)
  void incrementalRenderEqualsFullRenderAfterRandomEdits(
      @ForAll @IntRange(min = 2, max = 14) int services, @ForAll long seed) {
    Random r = new Random(seed);
    Spec spec = Spec.random(services, r);
    MeshRenderer incremental = new MeshRenderer();
    RenderedMesh previous = incremental.render(spec.mesh(), spec.discovered());
    for (int step = 0; step < 4; step++) {
      String edit = spec.edit(r);
      Mesh mesh = spec.mesh();
      RenderedMesh next = incremental.render(mesh, spec.discovered(), previous);
      RenderedMesh full = new MeshRenderer().render(mesh, spec.discovered());
      assertThat(next.groups()).as("after %s", edit).isEqualTo(full.groups());
      RenderState state = next.state();
      assertThat(union(state.rendered(), state.endpointsRendered(), state.reused()))
          .as("after %s", edit)
          .isEqualTo(full.groups().keySet());
      for (String id : state.reused()) {
        assertThat(next.groups().get(id)).isSameAs(previous.groups().get(id));
      }
      previous = next;
    }
  }

  @Test
  void anUnchangedMeshReusesEveryGroupAndRendersNoTemplate() {
    MeshRenderer renderer = new MeshRenderer();
    RenderedMesh first = renderer.render(MeshFixture.shop().build());
    RenderedMesh again =
        renderer.render(MeshFixture.shop().build(), DiscoveredEndpoints.NONE, first);

    assertThat(again.state().reused()).isEqualTo(first.groups().keySet());
    assertThat(again.state().rendered()).isEmpty();
    assertThat(again.state().templateRenders()).isEmpty();
    again.groups().forEach((id, g) -> assertThat(g).isSameAs(first.groups().get(id)));
  }

  @Test
  void anEndpointOnlyEditRendersOnlyTheEndpointsTemplatesOfItsCallers() {
    MeshRenderer renderer = new MeshRenderer();
    RenderedMesh before = renderer.render(MeshFixture.shop().build());
    Map<String, List<HostPort>> discovered =
        Map.of("payments", List.of(new HostPort("10.0.3.9", 9091, "zone-b")));
    Mesh same = MeshFixture.shop().build();

    RenderedMesh after = renderer.render(same, s -> discovered.getOrDefault(s, List.of()), before);

    // payments is called by orders, a proxyless-less gRPC caller without sidecar: grpc:orders.
    assertThat(after.state().templateRenders()).containsOnlyKeys(ResourceType.ENDPOINT);
    assertThat(after.state().rendered()).isEmpty();
    assertThat(after.state().endpointsRendered()).containsExactly("grpc:orders");
    assertThat(after.groups())
        .isEqualTo(
            new MeshRenderer().render(same, s -> discovered.getOrDefault(s, List.of())).groups());
    assertThat(after.groups().get("grpc:orders").of(ResourceType.LISTENER))
        .isEqualTo(before.groups().get("grpc:orders").of(ResourceType.LISTENER));
  }

  @Test
  void aStaticInstanceAddedInADefinitionRendersOnlyEndpoints() {
    MeshRenderer renderer = new MeshRenderer();
    RenderedMesh before =
        renderer.render(
            MeshFixture.mesh()
                .service("a", s -> s.http(8080).sidecar(true).dependsOn("b", null, 0))
                .service("b", s -> s.http(8081).sidecar(true).instances("10.0.0.1"))
                .build());
    // The new instance is the last field of b's file: no other location of b moves.
    Mesh edited =
        MeshFixture.mesh()
            .service("a", s -> s.http(8080).sidecar(true).dependsOn("b", null, 0))
            .service("b", s -> s.http(8081).sidecar(true).instances("10.0.0.1", "10.0.0.2"))
            .build();

    RenderedMesh after = renderer.render(edited, DiscoveredEndpoints.NONE, before);

    assertThat(after.state().templateRenders()).containsOnlyKeys(ResourceType.ENDPOINT);
    assertThat(after.state().endpointsRendered()).containsExactly("a");
    assertThat(after.state().reused()).containsExactly("b");
    assertThat(after.groups()).isEqualTo(new MeshRenderer().render(edited).groups());
  }

  @Test
  void aDependencyEditRendersOnlyTheCallersGroups() {
    MeshRenderer renderer = new MeshRenderer();
    RenderedMesh before = renderer.render(MeshFixture.shop().build());
    Mesh edited =
        MeshFixture.shop()
            .service(
                "admin",
                s ->
                    s.http(8090)
                        .sidecar(true)
                        .instances("10.0.0.21")
                        .dependsOn("orders", Duration.ofSeconds(9), 0)
                        .expose(
                            "public",
                            List.of("admin.example.com"),
                            List.of("/admin", "/api/admin")))
            .build();

    RenderedMesh after = renderer.render(edited, DiscoveredEndpoints.NONE, before);

    // admin calls gRPC orders, so it also has a proxyless group with the same dependency.
    assertThat(after.state().rendered()).containsExactly("admin", "grpc:admin");
    assertThat(after.groups()).isEqualTo(new MeshRenderer().render(edited).groups());
  }

  @Test
  void otherTemplatesRenderEveryGroupAgain() {
    MeshRenderer renderer = new MeshRenderer();
    RenderedMesh before = renderer.render(MeshFixture.shop().build());
    Mesh overridden = MeshFixture.shop().override("sidecar/secrets.yaml.j2", "[]\n").build();

    RenderedMesh after = renderer.render(overridden, DiscoveredEndpoints.NONE, before);

    assertThat(after.state().rendered()).isEqualTo(after.groups().keySet());
    assertThat(after.groups()).isEqualTo(new MeshRenderer().render(overridden).groups());
  }

  @Test
  void aRenderOfAnotherRendererIsReusedAsWell() {
    RenderedMesh before = new MeshRenderer().render(MeshFixture.shop().build());
    RenderedMesh after =
        new MeshRenderer().render(MeshFixture.shop().build(), DiscoveredEndpoints.NONE, before);

    // Another renderer compiled its own templates: nothing can be known to match.
    assertThat(after.state().rendered()).isEqualTo(after.groups().keySet());
    assertThat(after).isEqualTo(before);
  }

  @SafeVarargs
  private static Set<String> union(Set<String>... sets) {
    Set<String> all = new java.util.TreeSet<>();
    for (Set<String> s : sets) {
      all.addAll(s);
    }
    return all;
  }

  /** A mesh as editable data: rebuilt through {@link MeshFixture} after each edit. */
  private static final class Spec {
    private final Map<String, Svc> services = new java.util.TreeMap<>();
    private final Map<String, List<HostPort>> discovered = new HashMap<>();
    private int inboundPort = 15006;
    private int next;

    static Spec random(int count, Random r) {
      Spec spec = new Spec();
      for (int i = 0; i < count; i++) {
        spec.add(r);
      }
      for (Svc s : spec.services.values()) {
        for (int d = 0; d < r.nextInt(4); d++) {
          spec.addDependency(s, r);
        }
      }
      return spec;
    }

    private Svc add(Random r) {
      Svc s = new Svc("s" + next++);
      s.kind = r.nextInt(3);
      s.port = 8000 + r.nextInt(100);
      s.sidecar = r.nextBoolean();
      s.proxyless = !s.sidecar && s.kind == 1 && r.nextBoolean();
      for (int h = 0; h < 1 + r.nextInt(3); h++) {
        s.instances.add(instance(s, r));
      }
      s.exposed = r.nextInt(3) == 0;
      services.put(s.name, s);
      return s;
    }

    private static HostPort instance(Svc s, Random r) {
      return new HostPort(
          "10.0." + (s.name.hashCode() & 0xff) + "." + r.nextInt(250),
          s.port,
          List.of("a", "b", "").get(r.nextInt(3)));
    }

    private void addDependency(Svc s, Random r) {
      List<String> names = new ArrayList<>(services.keySet());
      String callee = names.get(r.nextInt(names.size()));
      if (!callee.equals(s.name) && s.deps.stream().noneMatch(d -> d.callee.equals(callee))) {
        s.deps.add(new Dep(callee, r.nextBoolean() ? 100 + r.nextInt(900) : null, r.nextInt(3)));
      }
    }

    private Svc pick(Random r) {
      List<Svc> all = new ArrayList<>(services.values());
      return all.get(r.nextInt(all.size()));
    }

    /** One random edit of one service (or of the mesh, or of discovered instances). */
    String edit(Random r) {
      Svc s = pick(r);
      int what = r.nextInt(16);
      switch (what) {
        case 0 -> {
          s.sidecar = !s.sidecar;
          s.proxyless = false;
        }
        case 1 -> s.kind = (s.kind + 1 + r.nextInt(2)) % 3;
        case 2 -> s.port = 8000 + r.nextInt(100);
        case 3 -> s.mtls = MtlsMode.values()[r.nextInt(MtlsMode.values().length)];
        case 4 -> s.authz = s.authz == AuthzMode.AUDIT ? AuthzMode.ENFORCE : AuthzMode.AUDIT;
        case 5 -> s.instances.add(instance(s, r));
        case 6 -> {
          if (s.instances.size() > 1) {
            s.instances.remove(r.nextInt(s.instances.size()));
          }
        }
        case 7 -> {
          if (!s.deps.isEmpty()) {
            Dep d = s.deps.get(r.nextInt(s.deps.size()));
            s.deps.set(
                s.deps.indexOf(d),
                new Dep(d.callee, r.nextBoolean() ? 100 + r.nextInt(900) : null, r.nextInt(4)));
          }
        }
        case 8 -> addDependency(s, r);
        case 9 -> {
          if (!s.deps.isEmpty()) {
            s.deps.remove(r.nextInt(s.deps.size()));
          }
        }
        case 10 -> s.exposed = !s.exposed;
        case 11 -> {
          Svc added = add(r);
          addDependency(added, r);
          Svc caller = pick(r);
          if (caller != added) {
            caller.deps.add(new Dep(added.name, null, 0));
          }
        }
        case 12 -> {
          if (services.size() > 1) {
            services.remove(s.name);
            services.values().forEach(o -> o.deps.removeIf(d -> d.callee.equals(s.name)));
            discovered.remove(s.name);
          }
        }
        case 13 -> inboundPort = inboundPort == 15006 ? 15106 : 15006;
        case 14 -> {
          List<HostPort> found = new ArrayList<>(discovered.getOrDefault(s.name, List.of()));
          found.add(instance(s, r));
          discovered.put(s.name, List.copyOf(found));
        }
        default -> s.proxyless = s.kind == 1 && !s.sidecar && !s.proxyless;
      }
      return "edit " + what + " of " + s.name;
    }

    DiscoveredEndpoints discovered() {
      Map<String, List<HostPort>> copy = Map.copyOf(discovered);
      return s -> copy.getOrDefault(s, List.of());
    }

    Mesh mesh() {
      MeshFixture f = MeshFixture.mesh().gateway("gw", 443, 80).ports(inboundPort, 15001);
      for (Svc svc : services.values()) {
        f.service(
            svc.name,
            b -> {
              switch (svc.kind) {
                case 0 -> b.http(svc.port);
                case 1 -> b.grpc(svc.port);
                default -> b.tcp(svc.port);
              }
              if (svc.proxyless && svc.kind == 1) {
                b.proxyless();
              } else {
                b.sidecar(svc.sidecar);
              }
              if (svc.mtls != null) {
                b.mtls(svc.mtls);
              }
              b.authz(svc.authz);
              svc.instances.forEach(h -> b.instance(h.host(), h.port(), h.zone()));
              for (Dep d : svc.deps) {
                b.dependsOn(
                    d.callee,
                    d.timeoutMs == null ? null : Duration.ofMillis(d.timeoutMs),
                    d.retries);
              }
              if (svc.exposed && svc.kind != 2) {
                b.expose("gw", List.of(svc.name + ".example.com"), List.of("/" + svc.name));
              }
            });
      }
      return f.build();
    }
  }

  private static final class Svc {
    final String name;
    int kind;
    int port;
    boolean sidecar;
    boolean proxyless;
    MtlsMode mtls;
    AuthzMode authz = AuthzMode.AUDIT;
    final List<HostPort> instances = new ArrayList<>();
    final List<Dep> deps = new ArrayList<>();
    boolean exposed;

    Svc(String name) {
      this.name = name;
    }
  }

  private record Dep(String callee, Integer timeoutMs, int retries) {}
}
