package dev.trellis.analyze;

import dev.trellis.render.RenderedGroup;
import java.util.List;
import java.util.Map;

/**
 * Each group's findings before suppression, kept with the rendered group they were found in: what
 * the next analysis reuses for a group rendered as the same {@link RenderedGroup} object (see
 * {@link Analyzer#analyze(dev.trellis.model.Mesh, dev.trellis.render.RenderedMesh, Suppressions,
 * GroupFindings)}).
 */
public final class GroupFindings {

  /** Nothing to reuse: every group is analyzed. */
  public static final GroupFindings NONE = new GroupFindings(Map.of(), 0);

  record Entry(RenderedGroup group, List<Finding> findings) {}

  private final Map<String, Entry> byGroup;
  private final int analyzed;

  GroupFindings(Map<String, Entry> byGroup, int analyzed) {
    this.byGroup = Map.copyOf(byGroup);
    this.analyzed = analyzed;
  }

  /** The findings of {@code group} if they were found in this very object, else null. */
  List<Finding> of(RenderedGroup group) {
    Entry e = byGroup.get(group.group().id());
    return e != null && e.group() == group ? e.findings() : null;
  }

  /** How many groups the group checks ran on in the analysis that made this. */
  public int analyzed() {
    return analyzed;
  }

  /** How many groups' findings the analysis that made this took from the one before. */
  public int reused() {
    return byGroup.size() - analyzed;
  }
}
