package dev.trellis.bench.fleet;

/** The ADS variant a fleet speaks: state of the world or incremental (delta). */
public enum XdsMode {
  SOTW,
  DELTA
}
