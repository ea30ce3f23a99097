package dev.trellis.analyze.report;

import dev.trellis.analyze.AnalysisResult;

/** Renders an analysis result in one output format; the same result always gives the same text. */
public interface Reporter {

  String render(AnalysisResult result);
}
