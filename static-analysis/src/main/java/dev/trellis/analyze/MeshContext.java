package dev.trellis.analyze;

import dev.trellis.model.Mesh;
import dev.trellis.model.SourceLocation;
import dev.trellis.render.RenderedGroup;
import dev.trellis.render.RenderedMesh;
import dev.trellis.render.RenderedResource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** What a {@link MeshCheck} sees, and where it reports. Not thread-safe. */
public final class MeshContext {

  private final Mesh mesh;
  private final RenderedMesh rendered;
  private final List<Finding> findings = new ArrayList<>();

  public MeshContext(Mesh mesh, RenderedMesh rendered) {
    this.mesh = mesh;
    this.rendered = rendered;
  }

  public Mesh mesh() {
    return mesh;
  }

  public RenderedMesh rendered() {
    return rendered;
  }

  public void report(Rule rule, SourceLocation location, String message) {
    findings.add(Finding.of(rule, message, location));
  }

  /** Reports a finding that concerns one proxy group. */
  public void report(Rule rule, SourceLocation location, String message, String group) {
    findings.add(
        new Finding(
            rule.id(), rule.level(), message, location, Optional.of(group), Optional.empty()));
  }

  /** Reports a finding about one rendered resource of a group (see {@link Finding#about}). */
  public void report(Rule rule, RenderedGroup group, RenderedResource resource, String message) {
    findings.add(Finding.about(rule, group.group().id(), resource, message));
  }

  List<Finding> findings() {
    return findings;
  }
}
