package dev.trellis.model;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** An xDS client implementation that Trellis serves config to, named as definitions write it. */
public enum XdsClient {
  ENVOY("envoy"),
  GRPC_JAVA("grpc-java"),
  GRPC_NODE("grpc-node"),
  GRPC_CORE("grpc-core"),
  GRPC_GO("grpc-go");

  /** The proxyless gRPC clients, the ones a proxyless service may narrow itself to. */
  public static final List<XdsClient> GRPC = List.of(GRPC_JAVA, GRPC_NODE, GRPC_CORE, GRPC_GO);

  private final String label;

  XdsClient(String label) {
    this.label = label;
  }

  /** The name definitions and reports use, e.g. {@code grpc-node}. */
  public String label() {
    return label;
  }

  public static Optional<XdsClient> ofLabel(String label) {
    return Arrays.stream(values()).filter(c -> c.label.equals(label)).findFirst();
  }
}
