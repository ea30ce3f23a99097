package dev.trellis.model;

/** The application protocol a service speaks on its port. */
public enum Protocol {
  HTTP,
  GRPC,
  TCP;

  /** HTTP and gRPC are both routed by an HTTP connection manager; TCP is proxied as bytes. */
  public boolean isHttp() {
    return this != TCP;
  }
}
