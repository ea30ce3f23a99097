package dev.trellis.analyze.clients;

import java.util.Locale;

/** What a client does with a config feature. */
public enum Support {
  /** It acts on it. */
  SUPPORTED,
  /** It accepts the config but does not act on that part. */
  IGNORED,
  /** It NACKs the resource. */
  REJECTED;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
