package dev.trellis.analyze;

/** A finding that a suppression or the baseline keeps from counting. */
public record SuppressedFinding(Finding finding, Suppression suppression) {}
