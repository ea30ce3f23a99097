package dev.trellis.model;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CookieNamesTest {

  private static final String TOKEN_CHARS =
      "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

  @ParameterizedTest
  @ValueSource(strings = {"session", "Session", "__Host-id", "_ga", "a.b", "x!#$%&'*+-.^_`|~"})
  void tokensAreValid(String name) {
    assertThat(CookieNames.isValid(name)).isTrue();
    assertThat(CookieNames.problem(name)).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "a b     | contains separator ' ' (U+0020) at index 1",
        "a=b     | contains separator '=' (U+003D) at index 1",
        "a;b     | contains separator ';' (U+003B) at index 1",
        "ab,     | contains separator ',' (U+002C) at index 2",
        "\"q\"   | contains separator '\"' (U+0022) at index 0",
        "a/b     | contains separator '/' (U+002F) at index 1",
        "(a)     | contains separator '(' (U+0028) at index 0",
        "x{y}    | contains separator '{' (U+007B) at index 1",
        "caf\u00e9 | contains non-ASCII character '\u00e9' (U+00E9) at index 3",
        "a\u2028 | contains non-ASCII character '\u2028' (U+2028) at index 1",
      })
  void nonTokensAreInvalidWithAReason(String name, String problem) {
    assertThat(CookieNames.isValid(name)).isFalse();
    assertThat(CookieNames.problem(name)).contains(problem);
  }

  @ParameterizedTest
  @ValueSource(strings = {"a\tb", "a\u0000", "a\u001fb", "a\u007f"})
  void controlCharactersAreInvalid(String name) {
    assertThat(CookieNames.problem(name))
        .get()
        .asString()
        .startsWith("contains control character U+");
  }

  @ParameterizedTest
  @ValueSource(strings = {""})
  void emptyIsInvalid(String name) {
    assertThat(CookieNames.problem(name)).contains("is empty");
    assertThat(CookieNames.isValid(null)).isFalse();
  }

  @Property
  void everyNonEmptyStringOfTokenCharactersIsValid(@ForAll("tokens") String name) {
    assertThat(CookieNames.isValid(name)).isTrue();
  }

  @Property
  void anyOtherCharacterMakesANameInvalid(
      @ForAll("tokens") String prefix, @ForAll("nonTokenChars") char bad) {
    assertThat(CookieNames.problem(prefix + bad))
        .get()
        .asString()
        .endsWith("at index " + prefix.length());
  }

  @Provide
  Arbitrary<String> tokens() {
    return Arbitraries.strings().withChars(TOKEN_CHARS).ofMinLength(1).ofMaxLength(20);
  }

  @Provide
  Arbitrary<Character> nonTokenChars() {
    return Arbitraries.chars().filter(c -> TOKEN_CHARS.indexOf(c) < 0 && !Character.isSurrogate(c));
  }
}
