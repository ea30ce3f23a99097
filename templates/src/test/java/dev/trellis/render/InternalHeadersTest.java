package dev.trellis.render;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.render.EnvoyLuaHarness.Header;
import dev.trellis.render.EnvoyLuaHarness.LogLevel;
import dev.trellis.render.EnvoyLuaHarness.Outcome;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Runs the real strip_internal_headers.lua through {@link EnvoyLuaHarness}. */
class InternalHeadersTest {

  private static EnvoyLuaHarness lua(String prefix) {
    return new EnvoyLuaHarness(InternalHeaders.script(prefix), "strip_internal_headers.lua");
  }

  private static final List<Header> REQUEST =
      List.of(
          new Header(":method", "POST"),
          new Header(":path", "/api/pay"),
          new Header("x-internal-user", "admin"),
          new Header("content-type", "application/json"),
          new Header("X-Internal-Role", "root"),
          new Header("x-internal-user", "second"),
          new Header("x-internals", "not the prefix"),
          new Header("x-request-id", "abc"));

  @Test
  void removesEveryValueOfEveryHeaderWithThePrefixAndKeepsTheRest() {
    Outcome outcome = lua("x-internal-").onRequest(REQUEST, Map.of());

    assertThat(outcome.headers())
        .containsExactly(
            new Header(":method", "POST"),
            new Header(":path", "/api/pay"),
            new Header("content-type", "application/json"),
            new Header("x-internals", "not the prefix"),
            new Header("x-request-id", "abc"));
    assertThat(outcome.logs(LogLevel.DEBUG))
        .containsExactly(
            "trellis_internal_header_removed header=\"x-internal-user\"",
            "trellis_internal_header_removed header=\"x-internal-role\"",
            "trellis_internal_header_removed header=\"x-internal-user\"");
    assertThat(outcome.logs(LogLevel.WARN)).isEmpty();
  }

  @Test
  void theGatewaysPrefixIsTheOneUsed() {
    Outcome outcome = lua("x-shop-").onRequest(REQUEST.subList(0, 4), Map.of());
    assertThat(outcome.headers()).isEqualTo(REQUEST.subList(0, 4));
    assertThat(outcome.logs()).isEmpty();

    Outcome upper = lua("X-Shop-").onRequest(List.of(new Header("x-shop-tenant", "7")), Map.of());
    assertThat(upper.headers()).isEmpty();
  }

  @Test
  void aRequestWithoutInternalHeadersIsLeftAlone() {
    List<Header> plain = List.of(new Header(":method", "GET"), new Header("accept", "*/*"));
    Outcome outcome = lua("x-internal-").onRequest(plain, Map.of());
    assertThat(outcome.headers()).isEqualTo(plain);
    assertThat(outcome.logs()).isEmpty();
  }

  @Test
  void theScriptKeepsNoStateBetweenRequests() {
    EnvoyLuaHarness harness = lua("x-internal-");
    harness.onRequest(REQUEST, Map.of());
    Outcome second =
        harness.onRequest(List.of(new Header("x-internal-a", "1"), new Header("b", "2")), Map.of());
    assertThat(second.headers()).containsExactly(new Header("b", "2"));
    assertThat(second.logs()).hasSize(1);
  }

  @Test
  void thePrefixIsALuaStringLiteralWhateverItHolds() {
    assertThat(InternalHeaders.luaString("x-a")).isEqualTo("\"x-a\"");
    assertThat(InternalHeaders.luaString("a\"b\\c\nd\u00e9"))
        .isEqualTo("\"a\\\"b\\\\c\\010d\\195\\169\"");
    // A prefix that tries to end the string and add code stays one string.
    Outcome outcome =
        lua("x-\"..os.exit()..\"")
            .onRequest(List.of(new Header("x-\"..os.exit()..\"y", "1")), Map.of());
    assertThat(outcome.headers()).isEmpty();
  }
}
