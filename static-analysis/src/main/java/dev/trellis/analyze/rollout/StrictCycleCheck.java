package dev.trellis.analyze.rollout;

import dev.trellis.analyze.Level;
import dev.trellis.analyze.MeshCheck;
import dev.trellis.analyze.MeshContext;
import dev.trellis.analyze.Rule;
import dev.trellis.model.Mesh;
import dev.trellis.model.MtlsMode;
import dev.trellis.model.ServiceDef;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Services that call each other in a cycle, all declaring {@code mtls: strict}, with a call of the
 * cycle that is plaintext and so refused (TRL401). Each such call is also a TRL304 finding; this
 * one names the whole cycle once, since a cycle cannot be rolled out bottom-up: every caller in it
 * needs its sidecar before any member goes strict.
 */
public final class StrictCycleCheck implements MeshCheck {

  public static final Rule RULE =
      new Rule(
          "TRL401",
          "strict-cycle-plaintext-call",
          Level.ERROR,
          "Services in a dependency cycle are all strict, but a call in the cycle is plaintext.",
          "Services that call each other in a cycle and all declare mtls: strict only work if"
              + " every call of the cycle is mTLS. A caller without a sidecar (or a proxyless gRPC"
              + " app calling a non-gRPC service) sends plaintext whatever it declares, and the"
              + " strict service it calls refuses it. A cycle has no bottom to start the rollout"
              + " from: give every caller in it a sidecar before any member goes strict. Reported"
              + " once per cycle, naming its plaintext calls (each is also a TRL304 finding).");

  @Override
  public List<Rule> rules() {
    return List.of(RULE);
  }

  @Override
  public void check(MeshContext context) {
    Mesh mesh = context.mesh();
    for (List<String> cycle : strictCycles(mesh)) {
      Set<String> members = new TreeSet<>(cycle);
      List<String> plaintext = new ArrayList<>();
      ServiceDef first = null;
      for (String name : cycle) {
        ServiceDef caller = mesh.service(name).orElseThrow();
        for (var d : caller.dependencies()) {
          ServiceDef callee = mesh.service(d.name()).orElse(null);
          if (callee != null
              && members.contains(callee.name())
              && mesh.servedMtls(callee) == MtlsMode.STRICT
              && !Mesh.canOriginateMtls(caller, callee)) {
            plaintext.add(
                caller.name()
                    + " → "
                    + callee.name()
                    + " ("
                    + Locations.whyNotReady(caller, callee)
                    + ")");
            if (first == null) {
              first = callee;
            }
          }
        }
      }
      if (first != null) {
        context.report(
            RULE,
            Locations.mtls(mesh, first),
            "Services "
                + String.join(", ", members)
                + " call each other in a cycle and are all mtls: strict, but "
                + (plaintext.size() == 1 ? "this call is" : "these calls are")
                + " plaintext and refused: "
                + String.join("; ", plaintext));
      }
    }
  }

  /**
   * The strongly connected components (two services or more) of the dependency graph restricted to
   * services that declare strict, each in name order; Tarjan's algorithm, iteratively.
   */
  static List<List<String>> strictCycles(Mesh mesh) {
    Map<String, List<String>> edges = new HashMap<>();
    for (ServiceDef s : mesh.services().values()) {
      if (mesh.mtlsOf(s) != MtlsMode.STRICT) {
        continue;
      }
      List<String> out = new ArrayList<>();
      for (var d : s.dependencies()) {
        mesh.service(d.name())
            .filter(c -> mesh.mtlsOf(c) == MtlsMode.STRICT)
            .ifPresent(c -> out.add(c.name()));
      }
      edges.put(s.name(), out);
    }
    Map<String, Integer> index = new HashMap<>();
    Map<String, Integer> low = new HashMap<>();
    Deque<String> stack = new ArrayDeque<>();
    Set<String> onStack = new HashSet<>();
    List<List<String>> components = new ArrayList<>();
    int[] counter = {0};
    for (String root : new TreeSet<>(edges.keySet())) {
      if (index.containsKey(root)) {
        continue;
      }
      // Each frame: a node and the position of its next edge to visit.
      Deque<Object[]> frames = new ArrayDeque<>();
      frames.push(new Object[] {root, 0});
      index.put(root, counter[0]);
      low.put(root, counter[0]++);
      stack.push(root);
      onStack.add(root);
      while (!frames.isEmpty()) {
        Object[] frame = frames.peek();
        String v = (String) frame[0];
        int i = (int) frame[1];
        List<String> next = edges.get(v);
        if (i < next.size()) {
          frame[1] = i + 1;
          String w = next.get(i);
          if (!index.containsKey(w)) {
            index.put(w, counter[0]);
            low.put(w, counter[0]++);
            stack.push(w);
            onStack.add(w);
            frames.push(new Object[] {w, 0});
          } else if (onStack.contains(w)) {
            low.put(v, Math.min(low.get(v), index.get(w)));
          }
          continue;
        }
        frames.pop();
        if (!frames.isEmpty()) {
          String parent = (String) frames.peek()[0];
          low.put(parent, Math.min(low.get(parent), low.get(v)));
        }
        if (low.get(v).equals(index.get(v))) {
          TreeSet<String> component = new TreeSet<>();
          String w;
          do {
            w = stack.pop();
            onStack.remove(w);
            component.add(w);
          } while (!w.equals(v));
          if (component.size() > 1) {
            components.add(List.copyOf(component));
          }
        }
      }
    }
    components.sort(java.util.Comparator.comparing(c -> c.get(0)));
    return components;
  }
}
