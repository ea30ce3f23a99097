package dev.trellis.bench.fleet;

/**
 * One response a simulated proxy got: its version, when it arrived and when the proxy answered
 * (fleet clock, {@link System#nanoTime}), and whether the answer was a NACK.
 */
public record VersionEvent(String version, long receivedNanos, long answeredNanos, boolean nack) {}
