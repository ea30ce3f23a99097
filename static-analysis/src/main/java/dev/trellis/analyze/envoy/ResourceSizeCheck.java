package dev.trellis.analyze.envoy;

import dev.trellis.analyze.GroupCheck;
import dev.trellis.analyze.GroupContext;
import dev.trellis.analyze.Level;
import dev.trellis.analyze.Rule;
import dev.trellis.render.RenderedResource;
import java.util.List;
import java.util.Locale;

/** Resources too big for a gRPC message (TRL212), or big enough to watch (TRL213). */
public final class ResourceSizeCheck implements GroupCheck {

  /** gRPC's default maximum inbound message size, which Envoy and gRPC clients keep. */
  static final int LIMIT = 4 * 1024 * 1024;

  static final int WARN = 1024 * 1024;

  public static final Rule TOO_LARGE =
      new Rule(
          "TRL212",
          "resource-over-size-limit",
          Level.ERROR,
          "A rendered resource is larger than 4 MiB serialized.",
          "A discovery response carrying it exceeds the 4 MiB gRPC message limit that proxies"
              + " accept by default, so the proxy drops the stream and never gets any config."
              + " Split the resource (e.g. fewer virtual hosts per route configuration).");

  public static final Rule LARGE =
      new Rule(
          "TRL213",
          "resource-large",
          Level.WARNING,
          "A rendered resource is larger than 1 MiB serialized.",
          "Large resources are slow to send and to apply on every change, and are on their way"
              + " to the 4 MiB gRPC message limit (TRL212).");

  @Override
  public List<Rule> rules() {
    return List.of(TOO_LARGE, LARGE);
  }

  @Override
  public void check(GroupContext context) {
    for (RenderedResource r : context.group().resources()) {
      int size = r.proto().getSerializedSize();
      if (size > LIMIT) {
        context.report(
            TOO_LARGE, r, "is " + mib(size) + " serialized, over the 4 MiB gRPC message limit");
      } else if (size > WARN) {
        context.report(
            LARGE, r, "is " + mib(size) + " serialized (warning above 1 MiB, limit 4 MiB)");
      }
    }
  }

  private static String mib(int bytes) {
    return bytes
        + " bytes ("
        + String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0))
        + ")";
  }
}
