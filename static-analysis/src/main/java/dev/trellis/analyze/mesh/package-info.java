/**
 * Mesh-policy rules (TRL3xx): checks of the mesh as a whole — the definitions' call graph, edge
 * exposure, sidecar ports and the mTLS state of callers and callees — each a one-class {@link
 * dev.trellis.analyze.MeshCheck} that places its findings at the definition line causing them.
 */
package dev.trellis.analyze.mesh;
