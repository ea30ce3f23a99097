package dev.trellis.publish;

import dev.trellis.render.ResourceType;
import java.util.Set;

/** A group that got a new snapshot, and the types whose version changed (the ones pushed). */
public record GroupUpdate(String group, Set<ResourceType> changedTypes) {

  public GroupUpdate {
    changedTypes = Set.copyOf(changedTypes);
  }
}
