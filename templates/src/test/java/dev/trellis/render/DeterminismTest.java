package dev.trellis.render;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.model.Mesh;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Same input, same bytes: rendering has no hidden order or state. */
class DeterminismTest {

  private static final MeshRenderer SHARED = new MeshRenderer();

  @Test
  void renderingTwiceGivesIdenticalOutput() {
    Mesh shop = MeshFixture.shop().build();
    String first = ConfigPrinter.print(new MeshRenderer().render(shop), ConfigPrinter.Format.YAML);
    String second = ConfigPrinter.print(new MeshRenderer().render(shop), ConfigPrinter.Format.YAML);
    String again = ConfigPrinter.print(SHARED.render(shop), ConfigPrinter.Format.YAML);
    assertThat(second).isEqualTo(first);
    assertThat(again).isEqualTo(first);
    assertThat(SHARED.render(shop)).isEqualTo(SHARED.render(shop));
  }

  @Property(tries = 15)
  void randomMeshesRenderDeterministicallyWhateverTheDeclarationOrder(
      @ForAll @IntRange(min = 1, max = 12) int services, @ForAll long seed) {
    Mesh a = randomMesh(services, seed, false);
    Mesh b = randomMesh(services, seed, true);
    RenderedMesh ra = SHARED.render(a);
    RenderedMesh rb = SHARED.render(b);
    String printed = ConfigPrinter.print(ra, ConfigPrinter.Format.JSON);
    assertThat(ConfigPrinter.print(rb, ConfigPrinter.Format.JSON)).isEqualTo(printed);
    assertThat(ConfigPrinter.print(SHARED.render(a), ConfigPrinter.Format.JSON)).isEqualTo(printed);
  }

  /**
   * A random mesh; with {@code shuffled} the same services, instances and gateways are declared in
   * another order (dependency order is meaningful and kept).
   */
  private static Mesh randomMesh(int count, long seed, boolean shuffled) {
    Random r = new Random(seed);
    List<Runnable> steps = new ArrayList<>();
    MeshFixture f = MeshFixture.mesh().gateway("gw", 443, 80);
    for (int i = 0; i < count; i++) {
      String name = "s" + i;
      int kind = r.nextInt(3);
      boolean sidecar = r.nextBoolean();
      List<String> hosts = new ArrayList<>();
      for (int h = 0; h < 1 + r.nextInt(4); h++) {
        hosts.add("10.0." + i + "." + r.nextInt(50));
      }
      List<String> zones = List.of("a", "b", "");
      List<String> deps = new ArrayList<>();
      for (int d = 0; d < r.nextInt(4); d++) {
        String dep = "s" + r.nextInt(count);
        if (!deps.contains(dep)) {
          deps.add(dep);
        }
      }
      boolean exposed = r.nextInt(3) == 0;
      long zoneSeed = r.nextLong();
      if (shuffled) {
        Collections.shuffle(hosts, new Random(seed ^ i));
      }
      steps.add(
          () ->
              f.service(
                  name,
                  s -> {
                    switch (kind) {
                      case 0 -> s.http(8080);
                      case 1 -> s.grpc(9090);
                      default -> s.tcp(5432);
                    }
                    s.sidecar(sidecar);
                    Random z = new Random(zoneSeed);
                    for (String h : hosts) {
                      s.instance(
                          h,
                          8000 + Math.abs(h.hashCode() % 10),
                          zones.get(Math.abs(h.hashCode()) % 3));
                    }
                    for (int d = 0; d < deps.size(); d++) {
                      s.dependsOn(
                          deps.get(d),
                          d % 2 == 0 ? Duration.ofMillis(100 + z.nextInt(900)) : null,
                          d);
                    }
                    if (exposed && kind != 2) {
                      s.expose("gw", List.of(name + ".example.com"), List.of("/" + name));
                    }
                  }));
    }
    if (shuffled) {
      Collections.shuffle(steps, new Random(~seed));
    }
    steps.forEach(Runnable::run);
    return f.build();
  }
}
