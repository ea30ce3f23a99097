package dev.trellis.serve;

import dev.trellis.analyze.GroupFindings;
import dev.trellis.render.RenderState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * How much of the mesh each reload did again: groups rendered whole, re-rendered for endpoints
 * only, and reused; groups analyzed; time from reading the files to a finished analysis.
 */
final class ReloadMetrics {

  private final Counter rendered;
  private final Counter endpointsOnly;
  private final Counter reused;
  private final Counter analyzed;
  private final Timer duration;

  ReloadMetrics(MeterRegistry registry) {
    this.rendered = groups(registry, "rendered");
    this.endpointsOnly = groups(registry, "endpoints");
    this.reused = groups(registry, "reused");
    this.analyzed =
        Counter.builder("trellis.reload.groups.analyzed")
            .description("Proxy groups whose checks reloads ran (the others' findings were reused)")
            .register(registry);
    this.duration =
        Timer.builder("trellis.reload.render.analyze")
            .description("Reloads from reading the definitions to a finished analysis")
            .register(registry);
  }

  private static Counter groups(MeterRegistry registry, String outcome) {
    return Counter.builder("trellis.reload.groups")
        .description(
            "Proxy groups reloads rendered whole (rendered), rendered the endpoints of only"
                + " (endpoints), or took unchanged from the reload before (reused)")
        .tag("outcome", outcome)
        .register(registry);
  }

  void record(RenderState render, GroupFindings analysis, long nanos) {
    rendered.increment(render.rendered().size());
    endpointsOnly.increment(render.endpointsRendered().size());
    reused.increment(render.reused().size());
    analyzed.increment(analysis.analyzed());
    duration.record(Duration.ofNanos(nanos));
  }
}
