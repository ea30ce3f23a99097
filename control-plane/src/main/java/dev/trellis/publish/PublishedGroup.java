package dev.trellis.publish;

import dev.trellis.render.RenderedGroup;
import java.time.Instant;

/**
 * A group as it is served: what was rendered, the snapshot built from it, and when that snapshot's
 * content was first published.
 */
public record PublishedGroup(RenderedGroup rendered, GroupSnapshot snapshot, Instant publishedAt) {}
