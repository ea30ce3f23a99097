package dev.trellis.analyze.mesh;

import dev.trellis.analyze.Level;
import dev.trellis.analyze.MeshCheck;
import dev.trellis.analyze.MeshContext;
import dev.trellis.analyze.Rule;
import dev.trellis.model.Mesh;
import dev.trellis.model.ServiceDef;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Services that call each other in a circle (TRL301). A depth-first walk in name and declaration
 * order reports each dependency that closes a cycle, at that dependency's entry.
 */
public final class DependencyCycleCheck implements MeshCheck {

  public static final Rule RULE =
      new Rule(
          "TRL301",
          "dependency-cycle",
          Level.WARNING,
          "Services depend on each other in a cycle.",
          "When a call can come back to a service that is waiting for it, timeouts stack up"
              + " around the cycle, retries multiply at every hop and one slow service stalls all"
              + " of them; nor can the services of a cycle be rolled out (sidecar, then mTLS) one"
              + " after the other from the bottom up. The finding is placed at the dependency"
              + " entry that closes the cycle and lists the services on it. Break the cycle, or"
              + " suppress the finding with the reason it is safe (for example, the calls back"
              + " never happen while serving a call).");

  @Override
  public List<Rule> rules() {
    return List.of(RULE);
  }

  private enum State {
    ON_PATH,
    DONE
  }

  /** A service on the walk's path, and the index of its next dependency to follow. */
  private static final class Frame {
    final ServiceDef service;
    int next;

    Frame(ServiceDef service) {
      this.service = service;
    }
  }

  @Override
  public void check(MeshContext context) {
    Mesh mesh = context.mesh();
    Map<String, State> state = new HashMap<>();
    for (ServiceDef start : mesh.services().values()) {
      if (state.containsKey(start.name())) {
        continue;
      }
      // Iterative, so that a long call chain cannot overflow the stack.
      Deque<Frame> path = new ArrayDeque<>();
      path.push(new Frame(start));
      state.put(start.name(), State.ON_PATH);
      while (!path.isEmpty()) {
        Frame top = path.peek();
        if (top.next == top.service.dependencies().size()) {
          state.put(top.service.name(), State.DONE);
          path.pop();
          continue;
        }
        int index = top.next++;
        String callee = top.service.dependencies().get(index).name();
        State seen = state.get(callee);
        if (seen == State.ON_PATH) {
          report(context, path, top.service, index, callee);
        } else if (seen == null) {
          mesh.service(callee)
              .ifPresent(
                  s -> {
                    state.put(callee, State.ON_PATH);
                    path.push(new Frame(s));
                  });
        }
      }
    }
  }

  private static void report(
      MeshContext context, Deque<Frame> path, ServiceDef closer, int index, String callee) {
    List<String> cycle = new ArrayList<>();
    // The path is a stack: iterate from the bottom to list the cycle in call order.
    boolean on = false;
    for (var it = path.descendingIterator(); it.hasNext(); ) {
      String name = it.next().service.name();
      on |= name.equals(callee);
      if (on) {
        cycle.add(name);
      }
    }
    cycle.add(callee);
    context.report(
        RULE,
        closer.provenance().locate("dependencies[" + index + "]"),
        "dependency cycle "
            + String.join(" → ", cycle)
            + " (closed by this dependency of '"
            + closer.name()
            + "' on '"
            + callee
            + "')");
  }
}
