package dev.trellis.mtls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SpiffeIdTest {

  @Test
  void parsesAndFormats() {
    SpiffeId id = SpiffeId.parse("spiffe://cluster.local/service/web-1");
    assertThat(id.trustDomain()).isEqualTo("cluster.local");
    assertThat(id.kind()).isEqualTo(SpiffeId.Kind.SERVICE);
    assertThat(id.name()).isEqualTo("web-1");
    assertThat(id).hasToString("spiffe://cluster.local/service/web-1");
    assertThat(id.uri().getScheme()).isEqualTo("spiffe");
    assertThat(id.uri().getHost()).isEqualTo("cluster.local");
    assertThat(SpiffeId.of("cluster.local", "web-1")).isEqualTo(id);
  }

  @Test
  void gatewaysAndTheControlPlaneHaveTheirOwnPaths() {
    assertThat(SpiffeId.parse("spiffe://td/gateway/public"))
        .isEqualTo(SpiffeId.gateway("td", "public"))
        .hasToString("spiffe://td/gateway/public");
    assertThat(SpiffeId.parse("spiffe://td/control-plane/trellis"))
        .isEqualTo(SpiffeId.controlPlane("td", "trellis"));
    assertThat(SpiffeId.gateway("td", "web")).isNotEqualTo(SpiffeId.of("td", "web"));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "http://cluster.local/service/web|SPIFFE ID 'http://cluster.local/service/web' must start"
            + " with 'spiffe://'",
        "SPIFFE://cluster.local/service/web|SPIFFE ID 'SPIFFE://cluster.local/service/web' must"
            + " start with 'spiffe://'",
        "spiffe://td/service/web?x=1|SPIFFE ID 'spiffe://td/service/web?x=1' must not have a query"
            + " or fragment ('?')",
        "spiffe://td/service/web#f|SPIFFE ID 'spiffe://td/service/web#f' must not have a query or"
            + " fragment ('#')",
        "spiffe:///service/web|SPIFFE ID 'spiffe:///service/web': trust domain is empty",
        "spiffe://Cluster.local/service/web|SPIFFE ID 'spiffe://Cluster.local/service/web': trust"
            + " domain 'Cluster.local' has character 'C' at index 0; allowed are a-z, 0-9, '.', '-'"
            + " and '_'",
        "spiffe://td:8080/service/web|SPIFFE ID 'spiffe://td:8080/service/web': trust domain"
            + " 'td:8080' has character ':' at index 2; allowed are a-z, 0-9, '.', '-' and '_'",
        "spiffe://u@td/service/web|SPIFFE ID 'spiffe://u@td/service/web': trust domain 'u@td' has"
            + " character '@' at index 1; allowed are a-z, 0-9, '.', '-' and '_'",
        "spiffe://td|SPIFFE ID 'spiffe://td': path must be '/service/<name>', '/gateway/<name>'"
            + " or '/control-plane/<name>', got ''",
        "spiffe://td/ns/default/sa/web|SPIFFE ID 'spiffe://td/ns/default/sa/web': path must be"
            + " '/service/<name>', '/gateway/<name>' or '/control-plane/<name>', got"
            + " '/ns/default/sa/web'",
        "spiffe://td/gateway/Pub|SPIFFE ID 'spiffe://td/gateway/Pub': gateway name 'Pub' is not a"
            + " DNS label (1 to 63 lowercase letters, digits and '-', starting and ending with a"
            + " letter or digit)",
        "spiffe://td/service/|SPIFFE ID 'spiffe://td/service/': service name '' is not a DNS label"
            + " (1 to 63 lowercase letters, digits and '-', starting and ending with a letter or"
            + " digit)",
        "spiffe://td/service/web/x|SPIFFE ID 'spiffe://td/service/web/x': service name 'web/x' is"
            + " not a DNS label (1 to 63 lowercase letters, digits and '-', starting and ending with"
            + " a letter or digit)",
        "spiffe://td/service/-web|SPIFFE ID 'spiffe://td/service/-web': service name '-web' is not"
            + " a DNS label (1 to 63 lowercase letters, digits and '-', starting and ending with a"
            + " letter or digit)",
        "spiffe://td/service/Web|SPIFFE ID 'spiffe://td/service/Web': service name 'Web' is not a"
            + " DNS label (1 to 63 lowercase letters, digits and '-', starting and ending with a"
            + " letter or digit)",
      })
  void rejectsWithPreciseErrors(String input, String message) {
    assertThatThrownBy(() -> SpiffeId.parse(input))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void rejectsEmptyAndOverlongParts() {
    assertThatThrownBy(() -> SpiffeId.parse("")).hasMessage("SPIFFE ID is empty");
    assertThatThrownBy(() -> SpiffeId.of("td", "a".repeat(64)))
        .hasMessageStartingWith("service name '" + "a".repeat(64) + "' is not a DNS label");
    assertThatThrownBy(() -> SpiffeId.requireValidTrustDomain("a".repeat(256)))
        .hasMessage(
            "trust domain '"
                + "a".repeat(256)
                + "' is 256 characters long; at most 255"
                + " are allowed");
    assertThat(SpiffeId.of("a".repeat(255), "a".repeat(63)).name()).hasSize(63);
  }

  @Property
  void formatThenParseIsIdentity(
      @ForAll("trustDomains") String trustDomain, @ForAll("labels") String service) {
    SpiffeId id = SpiffeId.of(trustDomain, service);
    assertThat(SpiffeId.parse(id.toString())).isEqualTo(id);
  }

  @Provide
  Arbitrary<String> trustDomains() {
    return Arbitraries.strings().withChars("abcxyz0189.-_").ofMinLength(1).ofMaxLength(40);
  }

  @Provide
  Arbitrary<String> labels() {
    return Arbitraries.strings()
        .withChars("abz09-")
        .ofMinLength(1)
        .ofMaxLength(63)
        .filter(s -> !s.startsWith("-") && !s.endsWith("-"));
  }

  @Property
  void arbitraryTextNeverEscapesAsAnotherException(@ForAll @StringLength(max = 60) String text) {
    try {
      SpiffeId id = SpiffeId.parse(text);
      assertThat(id.toString()).isEqualTo(text);
    } catch (IllegalArgumentException expected) {
      assertThat(expected.getMessage()).isNotBlank();
    }
  }
}
