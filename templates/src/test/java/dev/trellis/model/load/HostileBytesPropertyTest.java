package dev.trellis.model.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.model.DefinitionTree;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Any bytes at all as a service file or mesh.yaml: the load never throws, every error is located in
 * a file of the tree, and no message grows with the input.
 */
class HostileBytesPropertyTest {

  private static final String SERVICE =
      "name: web\nowner: team-web\nprotocol: http\nport: 8080\n"
          + "dependencies: [{name: web, timeout: 2s, retries: {attempts: 2, on: [5xx]}}]\n"
          + "edge:\n  gateway: public\n  hosts: [shop.example.com]\n"
          + "  cookies: {allowed: [session], mode: enforce}\n"
          + "  cors: {allowOrigins: ['*'], allowHeaders: [content-type]}\n";
  private static final String MESH = "name: shop\ngateways: [{name: public}]\n";

  @Property(tries = 10_000, seed = "11")
  void anyBytesLoadToLocatedBoundedErrorsOrAMesh(
      @ForAll("files") byte[] service, @ForAll("files") byte[] mesh) throws IOException {
    DefinitionTree tree =
        new DefinitionTree.Builder()
            .read("mesh.yaml", new ByteArrayInputStream(mesh))
            .read("services/web.yaml", new ByteArrayInputStream(service))
            .build();

    LoadResult result = DefinitionLoader.load(tree);

    assertThat(result.ok()).isEqualTo(result.mesh().isPresent());
    for (LoadError e : result.errors()) {
      assertThat(e.location().file()).isIn("mesh.yaml", "services/web.yaml");
      assertThat(e.location().line()).isPositive();
      assertThat(e.location().column()).isPositive();
      assertThat(e.message()).isNotBlank().hasSizeLessThan(1024);
    }
  }

  @Provide
  Arbitrary<byte[]> files() {
    Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(2048);
    return Arbitraries.frequencyOf(
        Tuple.of(1, random), Tuple.of(3, mutated(SERVICE)), Tuple.of(2, mutated(MESH)));
  }

  /** {@code text} with up to 8 bytes overwritten, inserted or deleted at random places. */
  private static Arbitrary<byte[]> mutated(String text) {
    byte[] base = text.getBytes(StandardCharsets.UTF_8);
    Arbitrary<List<int[]>> edits =
        Combinators.combine(
                Arbitraries.integers().between(0, 2),
                Arbitraries.integers().between(0, base.length),
                Arbitraries.integers().between(0, 255))
            .as((kind, at, value) -> new int[] {kind, at, value})
            .list()
            .ofMaxSize(8);
    return edits.map(
        list -> {
          byte[] b = base;
          for (int[] edit : list) {
            int at = Math.min(edit[1], b.length);
            byte[] next;
            switch (edit[0]) {
              case 0 -> {
                next = b.clone();
                if (at < b.length) {
                  next[at] = (byte) edit[2];
                }
              }
              case 1 -> {
                next = new byte[b.length + 1];
                System.arraycopy(b, 0, next, 0, at);
                next[at] = (byte) edit[2];
                System.arraycopy(b, at, next, at + 1, b.length - at);
              }
              default -> {
                if (at == b.length) {
                  next = b;
                } else {
                  next = new byte[b.length - 1];
                  System.arraycopy(b, 0, next, 0, at);
                  System.arraycopy(b, at + 1, next, at, b.length - at - 1);
                }
              }
            }
            b = next;
          }
          return b;
        });
  }
}
