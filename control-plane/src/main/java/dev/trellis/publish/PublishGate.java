package dev.trellis.publish;

import dev.trellis.analyze.AnalysisResult;
import dev.trellis.analyze.Finding;
import dev.trellis.analyze.Level;
import dev.trellis.model.MeshConfig;
import dev.trellis.model.ServiceDef;
import dev.trellis.render.ProxyGroup;
import dev.trellis.render.RenderedGroup;
import dev.trellis.render.RenderedMesh;
import dev.trellis.render.RenderedResource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The publish gate: groups touched by an error finding are held back (they keep serving their last
 * good config, or stay unpublished if they never had one), and every other group is published.
 *
 * <p>A finding about a group's rendered config touches that group. A finding about a definition
 * touches every group that has a resource rendered from that definition file, and the groups of the
 * service it defines; one no group can be traced to (e.g. in {@code mesh.yaml}) touches all.
 */
public final class PublishGate {

  /**
   * What to publish and what is held back.
   *
   * @param publish the complete set of groups to hand to {@link SnapshotPublisher#publish}
   * @param blocked held-back group ids, each with the error findings that touch it
   */
  public record Decision(List<RenderedGroup> publish, SortedMap<String, List<Finding>> blocked) {

    public Decision {
      publish = List.copyOf(publish);
      blocked = Collections.unmodifiableSortedMap(new TreeMap<>(blocked));
    }
  }

  private PublishGate() {}

  /** Decides which groups of {@code rendered} go out, given its analysis and what is served now. */
  public static Decision decide(
      RenderedMesh rendered, AnalysisResult analysis, Map<String, PublishedGroup> served) {
    SortedMap<String, List<Finding>> blocked = new TreeMap<>();
    Map<String, SortedSet<String>> groupsByFile = null;
    for (Finding f : analysis.findings()) {
      if (f.level() != Level.ERROR) {
        continue;
      }
      if (f.group().isEmpty() && groupsByFile == null) {
        groupsByFile = groupsByFile(rendered);
      }
      for (String group : touched(f, rendered, groupsByFile)) {
        blocked.computeIfAbsent(group, g -> new ArrayList<>()).add(f);
      }
    }
    List<RenderedGroup> publish = new ArrayList<>();
    for (RenderedGroup group : rendered.groups().values()) {
      String id = group.group().id();
      if (!blocked.containsKey(id)) {
        publish.add(group);
      } else if (served.containsKey(id)) {
        publish.add(served.get(id).rendered());
      }
    }
    return new Decision(publish, blocked);
  }

  private static Set<String> touched(
      Finding f, RenderedMesh rendered, Map<String, SortedSet<String>> groupsByFile) {
    if (f.group().isPresent()) {
      return Set.of(f.group().get());
    }
    String file = f.location().file();
    SortedSet<String> groups = groupsByFile.get(file);
    // mesh.yaml's settings (ports, trust domain, defaults) shape every group.
    return groups != null && !file.equals(MeshConfig.FILE) ? groups : rendered.groups().keySet();
  }

  /** Definition file → the groups rendered from it, and the groups of the service it defines. */
  private static Map<String, SortedSet<String>> groupsByFile(RenderedMesh rendered) {
    Map<String, SortedSet<String>> out = new HashMap<>();
    for (RenderedGroup group : rendered.groups().values()) {
      for (RenderedResource r : group.resources()) {
        out.computeIfAbsent(r.origin().definition().file(), k -> new TreeSet<>())
            .add(group.group().id());
      }
    }
    for (ServiceDef s : rendered.mesh().services().values()) {
      for (String id : List.of(s.name(), ProxyGroup.grpc(s.name()).id())) {
        if (rendered.groups().containsKey(id)) {
          out.computeIfAbsent(s.provenance().file(), k -> new TreeSet<>()).add(id);
        }
      }
    }
    return out;
  }
}
