package dev.trellis.analyze;

/** How serious a finding is; errors block publishing, warnings and infos only inform. */
public enum Level {
  ERROR("error", "error"),
  WARNING("warning", "warning"),
  INFO("info", "note");

  private final String label;
  private final String sarif;

  Level(String label, String sarif) {
    this.label = label;
    this.sarif = sarif;
  }

  /** The lower-case name used in reports, e.g. {@code warning}. */
  public String label() {
    return label;
  }

  /** The SARIF 2.1.0 level ({@code info} has no SARIF equivalent and maps to {@code note}). */
  public String sarifLevel() {
    return sarif;
  }
}
