package dev.trellis.model.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SuggestionsTest {

  @Test
  void distanceCountsInsertionsDeletionsAndSubstitutions() {
    assertThat(Suggestions.distance("", "")).isZero();
    assertThat(Suggestions.distance("abc", "")).isEqualTo(3);
    assertThat(Suggestions.distance("kitten", "sitting")).isEqualTo(3);
    assertThat(Suggestions.distance("inventroy", "inventory")).isEqualTo(2);
  }

  @Test
  void aTypoGetsTheClosestName() {
    assertThat(Suggestions.closest("inventroy", List.of("web", "inventory", "payments")))
        .contains("inventory");
    assertThat(Suggestions.closest("dependncies", List.of("name", "dependencies", "port")))
        .contains("dependencies");
    assertThat(Suggestions.closest("strcit", List.of("disable", "permissive", "strict")))
        .contains("strict");
    assertThat(Suggestions.hint("pubic", List.of("public"))).isEqualTo("; did you mean 'public'?");
  }

  @Test
  void caseIsIgnored() {
    assertThat(Suggestions.closest("HTTP", List.of("http", "grpc", "tcp"))).contains("http");
  }

  @Test
  void aLongNameMayBeAThirdOff() {
    assertThat(Suggestions.closest("circuitbreakrz", List.of("circuitBreaker")))
        .contains("circuitBreaker");
  }

  @Test
  void nothingCloseMeansNoSuggestion() {
    assertThat(Suggestions.closest("billing", List.of("web", "inventory"))).isEmpty();
    assertThat(Suggestions.closest("db", List.of("ui"))).isEmpty();
    assertThat(Suggestions.closest("xss", List.of("hsts"))).isEmpty();
    assertThat(Suggestions.closest("x", List.of())).isEmpty();
    assertThat(Suggestions.hint("billing", List.of("web"))).isEmpty();
  }
}
