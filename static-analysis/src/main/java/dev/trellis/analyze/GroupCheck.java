package dev.trellis.analyze;

import java.util.List;

/**
 * A check of one proxy group's rendered config that reports, through the context, findings of the
 * rules it declares; it sees only that group's config, so a group can be re-analyzed alone and its
 * findings reused while the group is unchanged. Called for many groups at once from several
 * threads: keep no per-call state in fields.
 */
public interface GroupCheck {

  /** Every rule this check can report. */
  List<Rule> rules();

  void check(GroupContext context);
}
