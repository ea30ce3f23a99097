package dev.trellis.analyze.envoy;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.trellis.analyze.Level;
import dev.trellis.analyze.MeshCheck;
import dev.trellis.analyze.MeshContext;
import dev.trellis.analyze.Rule;
import dev.trellis.model.SourceLocation;
import dev.trellis.render.EnvoyTypes;
import dev.trellis.render.ProxyKind;
import dev.trellis.render.RenderedGroup;
import dev.trellis.render.ResourceType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Each Envoy group's config, assembled into a {@link StaticBootstrap}, checked by a real Envoy
 * ({@code envoy --mode validate}) when lint is given one (TRL215); without a binary it does
 * nothing. Bounded: one process at a time, killed after the timeout, its output read up to {@link
 * #MAX_OUTPUT} bytes and quoted up to {@link #QUOTED_LINES} lines.
 */
public final class EnvoyValidateCheck implements MeshCheck {

  public static final Rule RULE =
      new Rule(
          "TRL215",
          "envoy-validate-failed",
          Level.ERROR,
          "Envoy's own validation (envoy --mode validate) rejects a group's config.",
          "With trellis lint --envoy PATH, each sidecar and edge group's rendered config is"
              + " assembled into a static bootstrap (routes, endpoints and secrets inline) and"
              + " checked by that Envoy binary, which knows every rule of its version, including"
              + " the ones no proto annotation states. The finding quotes the first lines of"
              + " Envoy's error.");

  /** An Envoy binary and how long one validation may take. */
  public record EnvoyBinary(Path path, Duration timeout) {}

  static final int MAX_OUTPUT = 64 * 1024;
  static final int QUOTED_LINES = 5;
  private static final int MAX_LINE = 300;

  private final Optional<EnvoyBinary> envoy;

  public EnvoyValidateCheck(Optional<EnvoyBinary> envoy) {
    this.envoy = envoy;
  }

  @Override
  public List<Rule> rules() {
    return List.of(RULE);
  }

  @Override
  public void check(MeshContext context) {
    if (envoy.isEmpty()) {
      return;
    }
    for (RenderedGroup group : context.rendered().groups().values()) {
      if (group.group().kind() == ProxyKind.GRPC || group.resources().isEmpty()) {
        continue;
      }
      validate(group)
          .ifPresent(
              problem ->
                  context.report(
                      RULE,
                      definition(group),
                      "envoy --mode validate rejects the config of group '"
                          + group.group().id()
                          + "' ("
                          + problem
                          + ")",
                      group.group().id()));
    }
  }

  /**
   * Where the group is defined: the origin of its first listener (a gateway in mesh.yaml, a
   * service's file for its sidecar), else of its first resource.
   */
  private static SourceLocation definition(RenderedGroup group) {
    return group.of(ResourceType.LISTENER).stream()
        .findFirst()
        .orElse(group.resources().get(0))
        .origin()
        .definition();
  }

  /** The bootstrap of {@code group} as Envoy reads it (JSON). */
  public static String bootstrapJson(RenderedGroup group) {
    try {
      return JsonFormat.printer()
          .usingTypeRegistry(EnvoyTypes.registry())
          .print(StaticBootstrap.of(group));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("group " + group.group().id() + ": " + e.getMessage(), e);
    }
  }

  /** What is wrong, or empty when Envoy accepts the group's config. */
  private Optional<String> validate(RenderedGroup group) {
    EnvoyBinary binary = envoy.orElseThrow();
    Path dir = null;
    try {
      dir = Files.createTempDirectory("trellis-envoy-validate");
      Path file = dir.resolve("bootstrap.json");
      Files.writeString(file, bootstrapJson(group), StandardCharsets.UTF_8);
      Process p =
          new ProcessBuilder(binary.path().toString(), "--mode", "validate", "-c", file.toString())
              .redirectErrorStream(true)
              .start();
      p.getOutputStream().close();
      Output output = new Output(p.getInputStream());
      if (!p.waitFor(binary.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
        kill(p);
        return Optional.of("no answer within " + binary.timeout().toSeconds() + " s");
      }
      if (p.exitValue() == 0) {
        return Optional.empty();
      }
      return Optional.of("exit " + p.exitValue() + quote(output.bytes()));
    } catch (IOException e) {
      return Optional.of("cannot run " + binary.path() + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of("interrupted");
    } finally {
      delete(dir);
    }
  }

  /**
   * A process's output, read in a daemon thread until end of stream or {@link #MAX_OUTPUT} bytes,
   * so that a full pipe cannot stall the process and a process that never closes its output cannot
   * hold the caller.
   */
  private static final class Output {
    private final Thread reader;
    private volatile byte[] bytes = new byte[0];

    Output(InputStream in) {
      reader =
          new Thread(
              () -> {
                try {
                  bytes = in.readNBytes(MAX_OUTPUT);
                  in.transferTo(java.io.OutputStream.nullOutputStream());
                } catch (IOException e) {
                  // the process went away; what was read is the output
                }
              },
              "envoy-validate-output");
      reader.setDaemon(true);
      reader.start();
    }

    /** What was read, once the process has ended (waiting at most a second for the rest). */
    byte[] bytes() throws InterruptedException {
      reader.join(1000);
      return bytes;
    }
  }

  private static String quote(byte[] output) {
    String text = new String(output, StandardCharsets.UTF_8);
    String lines =
        Arrays.stream(text.split("\n"))
            .map(String::strip)
            .filter(l -> !l.isEmpty())
            .limit(QUOTED_LINES)
            .map(l -> l.length() > MAX_LINE ? l.substring(0, MAX_LINE) + "..." : l)
            .collect(Collectors.joining(" | "));
    return lines.isEmpty() ? "" : ": " + lines;
  }

  private static void kill(Process p) throws InterruptedException {
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
    p.waitFor(5, TimeUnit.SECONDS);
  }

  private static void delete(Path dir) {
    if (dir == null) {
      return;
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(EnvoyValidateCheck::deleteOne);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteOne(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
