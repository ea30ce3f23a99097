package dev.trellis.analyze.mesh;

import dev.trellis.analyze.Level;
import dev.trellis.analyze.MeshCheck;
import dev.trellis.analyze.MeshContext;
import dev.trellis.analyze.Rule;
import dev.trellis.model.Dependency;
import dev.trellis.model.Mesh;
import dev.trellis.model.ServiceDef;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A dependency of an edge-exposed service whose timeout is longer than the service's own edge
 * timeout (TRL312). Read from the definitions with the mesh defaults applied ({@link
 * Mesh#policyOf}, {@link Mesh#edgeTimeoutOf}); an edge route without a timeout has Envoy's 15s. One
 * finding per dependency, at its {@code timeout}.
 */
public final class DependencyTimeoutCheck implements MeshCheck {

  public static final Rule RULE =
      new Rule(
          "TRL312",
          "dependency-timeout-exceeds-edge-timeout",
          Level.WARNING,
          "A dependency's timeout is longer than the caller's own edge timeout.",
          "A request from outside reaches a service through the edge, which gives up after the"
              + " service's edge timeout. If the service waits longer than that for one of its"
              + " dependencies, the client has already received a 504 while the call goes on:"
              + " the rest of the work is wasted, and under load it piles up. Keep every"
              + " dependency timeout of an exposed service below its edge timeout (with room for"
              + " the service's own work).");

  /** Envoy's route timeout when none is set. */
  static final Duration ENVOY_DEFAULT = Duration.ofSeconds(15);

  @Override
  public List<Rule> rules() {
    return List.of(RULE);
  }

  @Override
  public void check(MeshContext context) {
    Mesh mesh = context.mesh();
    for (ServiceDef s : mesh.services().values()) {
      if (s.edge().isEmpty()) {
        continue;
      }
      Optional<Duration> stated = mesh.edgeTimeoutOf(s);
      Duration edge = stated.orElse(ENVOY_DEFAULT);
      if (edge.isZero()) {
        continue;
      }
      for (int i = 0; i < s.dependencies().size(); i++) {
        Dependency d = s.dependencies().get(i);
        Optional<Duration> timeout = mesh.policyOf(d).timeout();
        if (timeout.isEmpty() || timeout.get().compareTo(edge) <= 0) {
          continue;
        }
        context.report(
            RULE,
            s.provenance().locate("dependencies[" + i + "].timeout"),
            "service '"
                + s.name()
                + "' waits up to "
                + show(timeout.get())
                + " for '"
                + d.name()
                + "'"
                + (d.timeout().isEmpty() ? " (trafficDefaults.timeout)" : "")
                + ", longer than its own edge timeout of "
                + show(edge)
                + (stated.isEmpty() ? " (Envoy's default, none is set)" : "")
                + " on gateway '"
                + s.edge().get().gateway()
                + "': the client has its 504 before the call ends",
            s.name());
      }
    }
  }

  /** A duration as definitions write it: 1500ms, 2s, 1m. */
  static String show(Duration d) {
    long ms = d.toMillis();
    if (ms % 60_000 == 0 && ms >= 60_000) {
      return ms / 60_000 + "m";
    }
    return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
  }
}
