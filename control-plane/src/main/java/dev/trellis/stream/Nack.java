package dev.trellis.stream;

import java.time.Instant;

/** A proxy rejected the response of this version with this error detail at this time. */
public record Nack(String version, String errorDetail, Instant at) {}
