package dev.trellis.analyze.clients;

import dev.trellis.render.RenderedResource;
import java.util.List;

/**
 * One place where a rendered resource uses a feature of the capability model.
 *
 * @param choices feature ids the client picks from, in order, taking the first it supports (a
 *     balancing policy list); one id for a plain feature. A choice of several ids joined by {@code
 *     /} needs all of them (wrr_locality over a child policy).
 * @param detail where in the resource, and the values that matter (e.g. {@code lb_policy
 *     LEAST_REQUEST})
 */
record FeatureUse(RenderedResource resource, List<String> choices, String detail) {

  FeatureUse {
    choices = List.copyOf(choices);
  }

  static FeatureUse of(RenderedResource resource, String feature, String detail) {
    return new FeatureUse(resource, List.of(feature), detail);
  }
}
