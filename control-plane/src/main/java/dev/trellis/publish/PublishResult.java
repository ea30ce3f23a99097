package dev.trellis.publish;

import java.util.List;

/**
 * What a publish changed: groups with a new snapshot, groups no longer rendered (now served an
 * empty config), and how many groups were left as they were.
 */
public record PublishResult(List<GroupUpdate> updated, List<String> emptied, int unchanged) {

  public PublishResult {
    updated = List.copyOf(updated);
    emptied = List.copyOf(emptied);
  }

  @Override
  public String toString() {
    return String.format(
        "%d group(s) updated %s, %d emptied %s, %d unchanged",
        updated.size(),
        updated.stream().map(u -> u.group() + u.changedTypes()).toList(),
        emptied.size(),
        emptied,
        unchanged);
  }
}
