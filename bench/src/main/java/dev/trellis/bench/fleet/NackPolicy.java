package dev.trellis.bench.fleet;

/** Decides which responses a simulated proxy rejects; the default accepts everything. */
@FunctionalInterface
public interface NackPolicy {

  NackPolicy NEVER = (node, type, version, received) -> false;

  /**
   * Whether {@code node} rejects a response of {@code type} at {@code version}, {@code received}
   * being how many responses of that type it got before on any stream.
   */
  boolean nack(NodeSpec node, XdsType type, String version, long received);
}
