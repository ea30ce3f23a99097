package dev.trellis.stream;

import java.time.Instant;
import java.util.List;
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
    Client client,
    Instant connectedAt,
    Map<String, TypeStatus> types) {

  public ProxyStatus {
    types = Map.copyOf(types);
  }

  /**
   * What the node says it runs: {@code user_agent_name}, {@code user_agent_version} and {@code
   * client_features}, as sent (the client chose them: bound them before printing).
   */
  public record Client(String name, String version, List<String> features) {
    public Client {
      features = List.copyOf(features);
    }
  }
}
