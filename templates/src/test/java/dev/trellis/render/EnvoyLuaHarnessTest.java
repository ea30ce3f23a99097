package dev.trellis.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trellis.render.EnvoyLuaHarness.Header;
import dev.trellis.render.EnvoyLuaHarness.LogLevel;
import dev.trellis.render.EnvoyLuaHarness.Outcome;
import dev.trellis.render.EnvoyLuaHarness.ScriptError;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Pins the harness to the Envoy behaviour the cookie monitor depends on, so a harness bug cannot
 * make the script's tests pass for the wrong reason.
 */
class EnvoyLuaHarnessTest {

  private static final List<Header> HEADERS =
      List.of(
          new Header(":status", "200"),
          new Header("Set-Cookie", "a=1"),
          new Header("x-other", "o"),
          new Header("set-cookie", ""),
          new Header("set-cookie", "b=2; Expires=Wed, 21 Oct 2015 07:28:00 GMT"));

  /** Runs {@code body} as envoy_on_response; it reports through handle:logInfo. */
  private static Outcome run(String body, Map<String, ?> metadata) {
    String script = "function envoy_on_response(handle)\n" + body + "\nend\n";
    return new EnvoyLuaHarness(script, "test.lua").onResponse(HEADERS, metadata);
  }

  private static List<String> info(String body) {
    return run(body, Map.of()).logs(LogLevel.INFO);
  }

  @Test
  void headerKeysAreLowerCasedAndLookedUpCaseInsensitively() {
    Outcome outcome = run("handle:logInfo(handle:headers():get('SET-COOKIE'))", Map.of());

    assertThat(outcome.headers().get(1)).isEqualTo(new Header("set-cookie", "a=1"));
    assertThat(outcome.logs(LogLevel.INFO))
        .containsExactly("a=1,,b=2; Expires=Wed, 21 Oct 2015 07:28:00 GMT");
  }

  @Test
  void getOfAMissingHeaderIsNil() {
    // Envoy returns no value at all, so tostring(h:get('nope')) would fail, as in Envoy.
    assertThat(info("local v = handle:headers():get('nope')\nhandle:logInfo(tostring(v))"))
        .containsExactly("nil");
  }

  @Test
  void getAtIndexIsZeroBasedAndNilForEmptyOrMissingValues() {
    assertThat(
            info(
                "local h = handle:headers()\n"
                    + "handle:logInfo(h:getNumValues('set-cookie') .. ' ' .. h:getNumValues('x'))\n"
                    + "for i = -1, 3 do\n"
                    + "  local v = h:getAtIndex('set-cookie', i)\n"
                    + "  handle:logInfo(tostring(v))\n"
                    + "end"))
        .containsExactly(
            "3 0", "nil", "a=1", "nil", "b=2; Expires=Wed, 21 Oct 2015 07:28:00 GMT", "nil");
  }

  @Test
  void removeDropsEveryValueAndAddAppends() {
    Outcome outcome =
        run(
            "local h = handle:headers()\n"
                + "h:remove('Set-Cookie')\n"
                + "h:add('Set-Cookie', 'c=3')\n"
                + "h:add('set-cookie', 'd=4')",
            Map.of());

    assertThat(outcome.headers())
        .containsExactly(
            new Header(":status", "200"),
            new Header("x-other", "o"),
            new Header("set-cookie", "c=3"),
            new Header("set-cookie", "d=4"));
  }

  @Test
  void replaceLeavesASingleValue() {
    Outcome outcome = run("handle:headers():replace('set-cookie', 'z=9')", Map.of());

    assertThat(outcome.values("set-cookie")).containsExactly("z=9");
  }

  @Test
  void pairsVisitsEveryHeaderIncludingRepeatedOnes() {
    assertThat(info("for k, v in pairs(handle:headers()) do handle:logInfo(k .. '=' .. v) end"))
        .containsExactly(
            ":status=200",
            "set-cookie=a=1",
            "x-other=o",
            "set-cookie=",
            "set-cookie=b=2; Expires=Wed, 21 Oct 2015 07:28:00 GMT");
  }

  @Test
  void headersCannotBeModifiedDuringIterationNorAfterBreakingOut() {
    assertThatThrownBy(
            () ->
                run(
                    "local h = handle:headers()\n" + "for k in pairs(h) do h:remove(k) end",
                    Map.of()))
        .isInstanceOf(ScriptError.class)
        .hasMessageContaining("header map cannot be modified while iterating");
    assertThatThrownBy(
            () ->
                run(
                    "local h = handle:headers()\n"
                        + "for k in pairs(h) do break end\n"
                        + "h:add('x', 'y')",
                    Map.of()))
        .isInstanceOf(ScriptError.class)
        .hasMessageContaining("header map cannot be modified while iterating");
  }

  @Test
  void routeMetadataIsConvertedLikeAProtobufStruct() {
    Map<String, Object> metadata =
        Map.of(
            "cfg",
            Map.of("list", List.of("x", "y"), "n", 3, "flag", true, "nested", Map.of("k", "v")));

    assertThat(
            run(
                    "local m = handle:metadata()\n"
                        + "local c, none = m:get('cfg'), m:get('none')\n"
                        + "handle:logInfo(#c.list .. c.list[1] .. c.list[2] .. type(c.n) .. c.n"
                        + " .. tostring(c.flag) .. c.nested.k .. tostring(none))",
                    metadata)
                .logs(LogLevel.INFO))
        .containsExactly("2xynumber3truevnil");
  }

  @Test
  void dynamicMetadataMergesKeysAndConvertsTablesLikeEnvoy() {
    Outcome outcome =
        run(
            "local d = handle:streamInfo():dynamicMetadata()\n"
                + "d:set('ns', 'count', 2)\n"
                + "d:set('ns', 'names', {'a', 'b'})\n"
                + "d:set('ns', 'obj', {k = 'v'})\n"
                + "d:set('ns', 'count', 3)\n"
                + "local other = d:get('other')\n"
                + "handle:logInfo(d:get('ns').names[2] .. tostring(other))",
            Map.of());

    assertThat(outcome.dynamicMetadata())
        .isEqualTo(
            Map.of(
                "ns", Map.of("count", 3.0, "names", List.of("a", "b"), "obj", Map.of("k", "v"))));
    assertThat(outcome.logs(LogLevel.INFO)).containsExactly("bnil");
    assertThatThrownBy(
            () -> run("handle:streamInfo():dynamicMetadata():set('ns', 'k', {1, x = 2})", Map.of()))
        .isInstanceOf(ScriptError.class)
        .hasMessageContaining("only string keys are supported");
  }

  @Test
  void logLevelsAreCaptured() {
    Outcome outcome =
        run(
            "handle:logTrace('t') handle:logDebug('d') handle:logInfo('i')\n"
                + "handle:logWarn('w') handle:logErr('e') handle:logCritical('c')",
            Map.of());

    assertThat(outcome.logs())
        .extracting(EnvoyLuaHarness.LogLine::level)
        .containsExactly(
            LogLevel.TRACE,
            LogLevel.DEBUG,
            LogLevel.INFO,
            LogLevel.WARN,
            LogLevel.ERR,
            LogLevel.CRITICAL);
  }

  @Test
  void aHandleKeptPastItsResponseIsDead() {
    EnvoyLuaHarness lua =
        new EnvoyLuaHarness(
            "local kept\n"
                + "function envoy_on_response(handle)\n"
                + "  if kept then kept:headers() end\n"
                + "  kept = handle\n"
                + "end\n",
            "test.lua");
    lua.onResponse(HEADERS, Map.of());

    assertThatThrownBy(() -> lua.onResponse(HEADERS, Map.of()))
        .isInstanceOf(ScriptError.class)
        .hasMessageContaining("object used outside of proper scope");
  }

  @Test
  void methodsCheckTheirReceiver() {
    assertThatThrownBy(() -> run("handle.headers()", Map.of()))
        .isInstanceOf(ScriptError.class)
        .hasMessageContaining("bad argument #1 to 'headers' (StreamHandle expected, got nil)");
  }

  @Test
  void handleMethodsThatAreNotEmulatedFailLoudly() {
    assertThatThrownBy(() -> run("handle:body()", Map.of()))
        .isInstanceOf(ScriptError.class)
        .hasMessageContaining("StreamHandle:body() is not emulated by the test harness");
  }

  @Test
  void luajOnlyLibrariesAreGone() {
    assertThat(info("handle:logInfo(tostring(luajava) .. tostring(bit32))"))
        .containsExactly("nilnil");
  }
}
