package dev.trellis.analyze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class RuleRegistryTest {

  private final RuleRegistry registry = RuleRegistry.standard();

  /** rule-ids.txt: every id ever allocated, with its name, in order. */
  private static Map<String, String> ledger() throws IOException {
    Map<String, String> ids = new LinkedHashMap<>();
    try (InputStream in = RuleRegistryTest.class.getResourceAsStream("rule-ids.txt")) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] parts = line.trim().split("\\s+");
        assertThat(ids.put(parts[0], parts[1])).as("id %s listed twice", parts[0]).isNull();
      }
    }
    return ids;
  }

  @Test
  void everyRuleIsInTheLedgerUnderItsOriginalName() throws IOException {
    Map<String, String> ledger = ledger();
    for (Rule r : registry.rules()) {
      assertThat(ledger)
          .as("add '%s %s' to rule-ids.txt (never reuse an id listed there)", r.id(), r.name())
          .containsKey(r.id());
      assertThat(r.name())
          .as("%s was allocated to '%s'; a new rule needs a new id", r.id(), ledger.get(r.id()))
          .isEqualTo(ledger.get(r.id()));
    }
  }

  @Test
  void everyLedgerIdIsCurrentOrRetiredAndRetiredIdsStayRetired() throws IOException {
    for (Map.Entry<String, String> e : ledger().entrySet()) {
      boolean current = registry.rule(e.getKey()).isPresent();
      boolean retired = RuleRegistry.RETIRED.containsKey(e.getKey());
      assertThat(current ^ retired)
          .as("%s must be either a current rule or in RuleRegistry.RETIRED", e.getKey())
          .isTrue();
      if (retired) {
        assertThat(RuleRegistry.RETIRED.get(e.getKey())).isEqualTo(e.getValue());
      }
    }
  }

  @Test
  void idsAreInTheRangeOfTheirCategoryAndRulesAreSortedById() {
    List<String> ids = registry.rules().stream().map(Rule::id).toList();
    assertThat(ids).isSorted().doesNotHaveDuplicates();
    assertThat(registry.rule("TRL201").orElseThrow().category())
        .isEqualTo(Rule.Category.ENVOY_CONFIG);
    assertThat(registry.rule("TRL101").orElseThrow().category())
        .isEqualTo(Rule.Category.DEFINITIONS);
    for (GroupCheck c : registry.groupChecks()) {
      if (c.getClass().getPackageName().endsWith(".envoy")) {
        assertThat(c.rules()).allMatch(r -> r.category() == Rule.Category.ENVOY_CONFIG);
      }
    }
    for (MeshCheck c : registry.meshChecks()) {
      if (c.getClass().getPackageName().endsWith(".mesh")) {
        assertThat(c.rules()).allMatch(r -> r.category() == Rule.Category.MESH_POLICY);
      }
      if (c.getClass().getPackageName().endsWith(".clients")) {
        assertThat(c.rules()).allMatch(r -> r.category() == Rule.Category.CLIENT_SUPPORT);
      }
    }
  }

  private static GroupCheck checkOf(Rule rule) {
    return new GroupCheck() {
      @Override
      public List<Rule> rules() {
        return List.of(rule);
      }

      @Override
      public void check(GroupContext context) {}
    };
  }

  private static Rule rule(String id, String name) {
    return new Rule(id, name, Level.ERROR, "One line.", "A paragraph.");
  }

  @Test
  void anIdUsedByTwoRulesIsRejected() {
    List<GroupCheck> checks = new ArrayList<>(registry.groupChecks());
    checks.add(checkOf(rule("TRL203", "something-else")));
    assertThatThrownBy(() -> new RuleRegistry(checks, List.of(), List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("rule id TRL203 is used by both route-to-unknown-cluster and something-else");
  }

  @Test
  void aRetiredIdIsRejected() {
    TreeMap<String, String> retired = new TreeMap<>(Map.of("TRL299", "old-rule"));
    assertThatThrownBy(
            () ->
                new RuleRegistry(
                    List.of(checkOf(rule("TRL299", "new-rule"))), List.of(), List.of(), retired))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("rule id TRL299 is retired (was old-rule); allocate a new id");
  }

  @Test
  void ruleShapeIsEnforced() {
    assertThatThrownBy(() -> rule("TRL601", "x")).hasMessageContaining("TRL1xx..TRL5xx");
    assertThatThrownBy(() -> rule("TRL301", "Not_Kebab")).hasMessageContaining("kebab-case");
    assertThatThrownBy(() -> new Rule("TRL301", "x", Level.INFO, "two\nlines", "doc"))
        .hasMessageContaining("one line");
  }
}
