/**
 * Definition rules (TRL1xx) that need more than the loader checks: values the loader accepts as
 * text but that cannot mean what the author wants, each a one-class {@link
 * dev.trellis.analyze.MeshCheck} reporting at the value's line.
 */
package dev.trellis.analyze.definitions;
