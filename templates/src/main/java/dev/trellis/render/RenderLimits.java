package dev.trellis.render;

import java.time.Duration;

/**
 * What rendering one proxy group may use: wall-clock time and output, summed over the group's
 * templates. A group over either fails the render with a located error, and the render of the mesh
 * stops there (its other groups would most likely hit the same template).
 *
 * @param timeout time one group's templates may take together
 * @param maxOutputBytes characters of output one group's templates may produce together; also the
 *     longest string a template may build
 */
public record RenderLimits(Duration timeout, long maxOutputBytes) {

  /** 10 s and 16 MiB per group: far above what the default templates need for large services. */
  public static final RenderLimits DEFAULT = new RenderLimits(Duration.ofSeconds(10), 16L << 20);

  public RenderLimits {
    if (timeout.isZero() || timeout.isNegative()) {
      throw new IllegalArgumentException("render timeout must be positive, got " + timeout);
    }
    if (maxOutputBytes <= 0) {
      throw new IllegalArgumentException(
          "render output budget must be positive, got " + maxOutputBytes);
    }
  }

  /** The timeout as the messages print it: {@code 10s}, {@code 1500ms}, {@code 2m}. */
  public String timeoutText() {
    long ms = timeout.toMillis();
    if (ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    }
    return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
  }

  /** The output budget as the messages print it: {@code 16MiB}, {@code 512KiB}, {@code 100B}. */
  public String outputText() {
    if (maxOutputBytes % (1L << 30) == 0) {
      return (maxOutputBytes >> 30) + "GiB";
    }
    if (maxOutputBytes % (1L << 20) == 0) {
      return (maxOutputBytes >> 20) + "MiB";
    }
    return maxOutputBytes % 1024 == 0 ? (maxOutputBytes >> 10) + "KiB" : maxOutputBytes + "B";
  }
}
