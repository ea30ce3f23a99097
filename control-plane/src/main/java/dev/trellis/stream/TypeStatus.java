package dev.trellis.stream;

import java.time.Instant;

/**
 * One resource type on one stream: the last version sent (and how many responses were sent), the
 * last version ACKed, and the last NACK. Fields are null until the event happened.
 */
public record TypeStatus(
    String sentVersion,
    Instant sentAt,
    long pushes,
    String ackedVersion,
    Instant ackedAt,
    long acks,
    long nacks,
    Nack lastNack) {}
