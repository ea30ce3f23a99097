package dev.trellis.model.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SyntaxTest {

  @ParameterizedTest
  @ValueSource(strings = {"a", "0", "payments", "a-b", "a--b", "x1"})
  void dnsLabels(String label) {
    assertThat(Syntax.DNS_LABEL.problem(label)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "-a", "a-", "A", "a_b", "a.b", "a b", "é"})
  void notDnsLabels(String label) {
    assertThat(Syntax.DNS_LABEL.problem(label)).isPresent();
  }

  @ParameterizedTest
  @ValueSource(strings = {"a", "a.b", "pay.example.com", "10.0.0.7", "255.255.255.255", "1.2.x3"})
  void hostnames(String host) {
    assertThat(Syntax.isHostname(host)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", "0", "10.0.0.256", "1.2.3", "a.1", "a..b", ".a", "a.", "A.b", "a_b.c", "*.a"})
  void notHostnames(String host) {
    assertThat(Syntax.isHostname(host)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"/", "/api/pay", "/a%2Fb", "/a-b_c.d~e"})
  void pathPrefixes(String path) {
    assertThat(Syntax.PATH_PREFIX.problem(path)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", "api", "/a b", "/a?b", "/a#b", "/a%", "/a%2", "/a%g0", "/{{x}}", "/'"})
  void notPathPrefixes(String path) {
    assertThat(Syntax.PATH_PREFIX.problem(path)).isPresent();
  }

  @ParameterizedTest
  @ValueSource(strings = {"team-a", "alice@example.com", "ops_2", "T"})
  void owners(String owner) {
    assertThat(Syntax.OWNER.problem(owner)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "@team", "a b", "a:b", "a\"b", "{a}", "a\nb"})
  void notOwners(String owner) {
    assertThat(Syntax.OWNER.problem(owner)).isPresent();
  }
}
