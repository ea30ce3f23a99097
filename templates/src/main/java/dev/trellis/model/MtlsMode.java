package dev.trellis.model;

/** How a service's sidecar accepts inbound connections during the mTLS rollout. */
public enum MtlsMode {
  /** Plaintext only. */
  DISABLE,
  /** Both mTLS and plaintext, told apart by the TLS inspector. */
  PERMISSIVE,
  /** mTLS only. */
  STRICT;

  /** Whether a caller with a sidecar should originate mTLS to a service in this mode. */
  public boolean acceptsMtls() {
    return this != DISABLE;
  }
}
