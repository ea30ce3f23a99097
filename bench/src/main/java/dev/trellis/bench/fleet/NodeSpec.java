package dev.trellis.bench.fleet;

/** One simulated proxy: its unique {@code node.id} and its group ({@code node.cluster}). */
public record NodeSpec(String id, String group) {}
