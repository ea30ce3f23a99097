package dev.trellis.render;

import dev.trellis.model.SourceLocation;

/**
 * What produced a rendered resource: the template (path under {@code templates/}, and the line
 * where the resource starts in it) and the definition location it was rendered for.
 */
public record Origin(String template, int templateLine, SourceLocation definition) {}
