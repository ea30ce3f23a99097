package dev.trellis.analyze.report;

import dev.trellis.analyze.AnalysisResult;
import dev.trellis.analyze.Finding;
import dev.trellis.analyze.Level;
import dev.trellis.analyze.Rule;
import dev.trellis.analyze.RuleRegistry;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * JUnit XML for CI test tabs: one test case per rule. A rule with findings at or above the {@code
 * --fail-on} threshold fails with them (one line each, in the text format); findings below it
 * (warnings and infos under {@code --fail-on error}) go to the test case's {@code <system-out>}, so
 * a job that passes shows no failed tests. Rules without findings pass, so the report lists what
 * was checked.
 */
public final class JUnitReporter implements Reporter {

  private final RuleRegistry registry;
  private final Level failOn;

  public JUnitReporter(RuleRegistry registry, Level failOn) {
    this.registry = registry;
    this.failOn = failOn;
  }

  @Override
  public String render(AnalysisResult result) {
    Map<String, List<Finding>> byRule = new LinkedHashMap<>();
    for (Rule r : registry.rules()) {
      byRule.put(r.id(), new ArrayList<>());
    }
    for (Finding f : result.findings()) {
      byRule.computeIfAbsent(f.ruleId(), id -> new ArrayList<>()).add(f);
    }
    long failures = byRule.values().stream().filter(l -> l.stream().anyMatch(this::fails)).count();
    StringWriter text = new StringWriter();
    try {
      XMLStreamWriter xml = XMLOutputFactory.newFactory().createXMLStreamWriter(text);
      xml.writeStartDocument("UTF-8", "1.0");
      xml.writeCharacters("\n");
      xml.writeStartElement("testsuites");
      xml.writeAttribute("name", "trellis");
      xml.writeAttribute("tests", Integer.toString(byRule.size()));
      xml.writeAttribute("failures", Long.toString(failures));
      xml.writeCharacters("\n  ");
      xml.writeStartElement("testsuite");
      xml.writeAttribute("name", "trellis lint");
      xml.writeAttribute("tests", Integer.toString(byRule.size()));
      xml.writeAttribute("failures", Long.toString(failures));
      xml.writeAttribute("errors", "0");
      xml.writeAttribute("skipped", "0");
      for (Map.Entry<String, List<Finding>> e : byRule.entrySet()) {
        String id = e.getKey();
        List<Finding> failing = e.getValue().stream().filter(this::fails).toList();
        List<Finding> passing = e.getValue().stream().filter(f -> !fails(f)).toList();
        xml.writeCharacters("\n    ");
        xml.writeStartElement("testcase");
        xml.writeAttribute("classname", "trellis." + id);
        xml.writeAttribute("name", id + registry.rule(id).map(r -> " " + r.name()).orElse(""));
        if (!failing.isEmpty()) {
          xml.writeCharacters("\n      ");
          xml.writeStartElement("failure");
          xml.writeAttribute("type", failing.get(0).level().label());
          xml.writeAttribute(
              "message", failing.size() + (failing.size() == 1 ? " finding" : " findings"));
          xml.writeCharacters(lines(failing));
          xml.writeEndElement();
        }
        if (!passing.isEmpty()) {
          xml.writeCharacters("\n      ");
          xml.writeStartElement("system-out");
          xml.writeCharacters(lines(passing));
          xml.writeEndElement();
        }
        if (!e.getValue().isEmpty()) {
          xml.writeCharacters("\n    ");
        }
        xml.writeEndElement();
      }
      xml.writeCharacters("\n  ");
      xml.writeEndElement();
      xml.writeCharacters("\n");
      xml.writeEndElement();
      xml.writeEndDocument();
      xml.close();
    } catch (XMLStreamException e) {
      throw new IllegalStateException("writing XML to a string cannot fail", e);
    }
    return text + "\n";
  }

  private boolean fails(Finding f) {
    return f.level().compareTo(failOn) <= 0;
  }

  private static String lines(List<Finding> findings) {
    StringBuilder body = new StringBuilder("\n");
    for (Finding f : findings) {
      body.append(TextReporter.line(f)).append('\n');
    }
    return xmlSafe(body.toString());
  }

  /** XML 1.0 cannot carry most control characters, even escaped. */
  private static String xmlSafe(String s) {
    StringBuilder out = new StringBuilder(s.length());
    s.codePoints()
        .forEach(
            c -> {
              boolean ok =
                  c == 0x9
                      || c == 0xA
                      || c == 0xD
                      || (c >= 0x20 && c <= 0xD7FF)
                      || (c >= 0xE000 && c <= 0xFFFD)
                      || c >= 0x10000;
              out.appendCodePoint(ok ? c : 0xFFFD);
            });
    return out.toString();
  }
}
