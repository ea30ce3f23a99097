package dev.trellis.analyze.rollout;

import dev.trellis.analyze.rollout.MtlsRollout.Caller;
import dev.trellis.analyze.rollout.MtlsRollout.ServiceState;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The rollout state of every service as a plain-text table, one row per service. */
public final class RolloutTable {

  static final List<String> HEADER =
      List.of("SERVICE", "SIDECAR", "MTLS", "AUTHZ", "CALLERS READY", "NOT READY");

  private RolloutTable() {}

  public static String render(MtlsRollout rollout) {
    List<List<String>> rows = new ArrayList<>();
    rows.add(HEADER);
    for (ServiceState s : rollout.services().values()) {
      rows.add(
          List.of(
              s.name(),
              s.service().sidecar() ? "yes" : s.service().proxyless() ? "proxyless" : "no",
              mtls(s),
              s.authorizes() ? lower(s.authz()) : "-",
              s.ready().size() + "/" + s.callers().size(),
              s.notReady().isEmpty()
                  ? "-"
                  : String.join(", ", s.notReady().stream().map(Caller::label).toList())));
    }
    int[] widths = new int[HEADER.size()];
    for (List<String> row : rows) {
      for (int i = 0; i < row.size(); i++) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (List<String> row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.size(); i++) {
        line.append(row.get(i));
        if (i < row.size() - 1) {
          line.append(" ".repeat(widths[i] - row.get(i).length() + 2));
        }
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
    return out.toString();
  }

  /** The mode served; when the declared one differs, both. */
  private static String mtls(ServiceState s) {
    String served = lower(s.served());
    return s.declared() == s.served() ? served : served + " (declared " + lower(s.declared()) + ")";
  }

  private static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }
}
