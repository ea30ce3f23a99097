package dev.trellis.analyze;

import java.util.List;

/**
 * A check of the mesh as a whole (definitions, cross-group policy) that reports, through the
 * context, findings of the rules it declares. Runs beside the other mesh checks, each with its own
 * context: keep no per-call state in fields.
 */
public interface MeshCheck {

  /** Every rule this check can report. */
  List<Rule> rules();

  void check(MeshContext context);
}
