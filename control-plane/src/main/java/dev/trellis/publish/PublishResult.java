package dev.trellis.publish;

import dev.trellis.render.ResourceType;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * What a publish changed: groups with a new snapshot, groups no longer rendered (now served an
 * empty config), and how many groups were left as they were.
 */
public record PublishResult(List<GroupUpdate> updated, List<String> emptied, int unchanged) {

  public PublishResult {
    updated = List.copyOf(updated);
    emptied = List.copyOf(emptied);
  }

  /**
   * A one-line summary with counts only, so it stays short on a large mesh: which groups and which
   * of their types changed are in the admin API ({@code /debug/proxies}, {@code
   * /debug/config_dump}).
   */
  @Override
  public String toString() {
    Map<ResourceType, Integer> pushed = new EnumMap<>(ResourceType.class);
    for (GroupUpdate u : updated) {
      u.changedTypes().forEach(t -> pushed.merge(t, 1, Integer::sum));
    }
    StringBuilder s =
        new StringBuilder()
            .append(updated.size())
            .append(" group(s) updated, ")
            .append(emptied.size())
            .append(" emptied, ")
            .append(unchanged)
            .append(" unchanged");
    if (!pushed.isEmpty()) {
      StringJoiner types = new StringJoiner(", ", "; types pushed: ", "");
      pushed.forEach((t, n) -> types.add(t + " " + n));
      s.append(types);
    }
    return s.toString();
  }
}
