package dev.trellis.stream;

import java.time.Instant;
import java.util.Map;

/**
 * One connected xDS stream: its node, the group it is served, whether that group is published, and
 * per resource type (keyed by plural name, e.g. {@code clusters}) what was sent, ACKed and NACKed.
 */
public record ProxyStatus(
    String nodeId,
    String group,
    boolean knownGroup,
    long streamId,
    boolean delta,
    String userAgent,
    Instant connectedAt,
    Map<String, TypeStatus> types) {

  public ProxyStatus {
    types = Map.copyOf(types);
  }
}
