package dev.trellis.model;

import java.time.Duration;
import java.util.Optional;

/** A call from one service to another, with the per-call policy the caller wants. */
public record Dependency(String name, Optional<Duration> timeout, int retries) {}
