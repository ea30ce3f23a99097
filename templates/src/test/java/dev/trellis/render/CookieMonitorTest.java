package dev.trellis.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trellis.render.EnvoyLuaHarness.Header;
import dev.trellis.render.EnvoyLuaHarness.LogLevel;
import dev.trellis.render.EnvoyLuaHarness.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Runs the real cookie_monitor.lua through {@link EnvoyLuaHarness}. */
class CookieMonitorTest {

  private static final String SESSION = "session=abc123; Path=/; Secure; HttpOnly";
  private static final String CSRF = "csrftoken=t0k; Path=/";
  private static final String TRACKER = "tracker=u-991; Max-Age=31536000";
  private static final String AD_ID = "ad_id=77; Domain=example.com";

  private final EnvoyLuaHarness lua =
      new EnvoyLuaHarness(CookieMonitor.script(), "cookie_monitor.lua");

  private static Map<String, Object> route(String mode, String... allowed) {
    return CookieMonitor.routeMetadata("shop", mode, List.of(allowed));
  }

  /** A response with the given Set-Cookie values between two other headers. */
  private static List<Header> response(String... setCookies) {
    List<Header> headers = new ArrayList<>();
    headers.add(new Header(":status", "200"));
    headers.add(new Header("content-type", "text/html"));
    for (String value : setCookies) {
      headers.add(new Header("set-cookie", value));
    }
    headers.add(new Header("cache-control", "no-store"));
    return headers;
  }

  @ParameterizedTest
  @ValueSource(strings = {"monitor", "enforce"})
  void allowedCookiesPassUntouched(String mode) {
    List<Header> response = response(SESSION, CSRF);

    Outcome outcome = lua.onResponse(response, route(mode, "session", "csrftoken"));

    assertThat(outcome.headers()).isEqualTo(response);
    assertThat(outcome.logs()).isEmpty();
    assertThat(outcome.dynamicMetadata()).isEmpty();
  }

  @Test
  void monitorLogsAndCountsUnknownCookiesAndLeavesThemInPlace() {
    List<Header> response = response(SESSION, TRACKER, CSRF, AD_ID);

    Outcome outcome = lua.onResponse(response, route("monitor", "session", "csrftoken"));

    assertThat(outcome.headers()).isEqualTo(response);
    assertThat(outcome.logs())
        .extracting(EnvoyLuaHarness.LogLine::level)
        .containsOnly(LogLevel.WARN);
    assertThat(outcome.logs(LogLevel.WARN))
        .containsExactly(
            "trellis_cookie_violation service=\"shop\" cookie=\"tracker\" reason=not_allowed"
                + " action=kept",
            "trellis_cookie_violation service=\"shop\" cookie=\"ad_id\" reason=not_allowed"
                + " action=kept");
    assertThat(outcome.dynamicMetadata())
        .isEqualTo(
            Map.of(
                CookieMonitor.DYNAMIC_METADATA_NAMESPACE,
                Map.of(
                    "violations", 2.0,
                    "stripped", 0.0,
                    "cookies", "tracker,ad_id",
                    "service", "shop",
                    "mode", "monitor")));
  }

  @Test
  void enforceStripsOnlyTheUnknownCookiesAndKeepsTheAllowedInOrder() {
    List<Header> response = response(TRACKER, SESSION, AD_ID, CSRF);

    Outcome outcome = lua.onResponse(response, route("enforce", "session", "csrftoken"));

    assertThat(outcome.values("set-cookie")).containsExactly(SESSION, CSRF);
    assertThat(outcome.headersExcept("set-cookie"))
        .containsExactly(
            new Header(":status", "200"),
            new Header("content-type", "text/html"),
            new Header("cache-control", "no-store"));
    assertThat(outcome.logs(LogLevel.WARN))
        .containsExactly(
            "trellis_cookie_violation service=\"shop\" cookie=\"tracker\" reason=not_allowed"
                + " action=stripped",
            "trellis_cookie_violation service=\"shop\" cookie=\"ad_id\" reason=not_allowed"
                + " action=stripped");
    assertThat(outcome.dynamicMetadata().get(CookieMonitor.DYNAMIC_METADATA_NAMESPACE))
        .containsEntry("violations", 2.0)
        .containsEntry("stripped", 2.0)
        .containsEntry("cookies", "tracker,ad_id")
        .containsEntry("mode", "enforce");
  }

  @Test
  void enforceWithNothingAllowedStripsEverySetCookie() {
    Outcome outcome = lua.onResponse(response(SESSION, TRACKER), route("enforce"));

    assertThat(outcome.values("set-cookie")).isEmpty();
    assertThat(outcome.headersExcept("set-cookie")).hasSize(3);
  }

  @Test
  void cookieNamesAreComparedCaseSensitively() {
    Outcome outcome =
        lua.onResponse(
            response("Session=1", "SESSION=2", "session=3", "sessioN=4"),
            route("enforce", "session"));

    assertThat(outcome.values("set-cookie")).containsExactly("session=3");
    assertThat(outcome.dynamicMetadata().get(CookieMonitor.DYNAMIC_METADATA_NAMESPACE))
        .containsEntry("cookies", "Session,SESSION,sessioN");
  }

  @Test
  void aSetCookieWithoutANameIsAViolation() {
    // RFC 6265bis: without "=" the whole pair is the value of a cookie with an empty name.
    List<Header> response = response("tracking123; Path=/", "=orphan", "a; b=c", SESSION);

    Outcome monitored = lua.onResponse(response, route("monitor", "session"));
    Outcome enforced = lua.onResponse(response, route("enforce", "session"));

    assertThat(monitored.headers()).isEqualTo(response);
    assertThat(monitored.logs(LogLevel.WARN))
        .hasSize(3)
        .allSatisfy(
            line ->
                assertThat(line)
                    .isEqualTo(
                        "trellis_cookie_violation service=\"shop\" cookie=\"\" reason=no_name"
                            + " action=kept"));
    assertThat(enforced.values("set-cookie")).containsExactly(SESSION);
    assertThat(enforced.dynamicMetadata().get(CookieMonitor.DYNAMIC_METADATA_NAMESPACE))
        .containsEntry("violations", 3.0)
        .containsEntry("cookies", ",,");
  }

  @Test
  void namesAreParsedLikeABrowserDoes() {
    // Whitespace around the name is trimmed; the name ends at the first "="; attributes after
    // ";" (even one that looks like an allowed cookie) do not name the cookie.
    List<Header> response =
        response(" \tsession =abc", "session==x", "tracker=1; session=2", "session");

    Outcome outcome = lua.onResponse(response, route("enforce", "session"));

    assertThat(outcome.values("set-cookie")).containsExactly(" \tsession =abc", "session==x");
    assertThat(outcome.dynamicMetadata().get(CookieMonitor.DYNAMIC_METADATA_NAMESPACE))
        .containsEntry("cookies", "tracker,");
  }

  @Test
  void valuesWithCommasStayByteForByte() {
    // headers:get() would join repeated values with ","; the script must read them one by one.
    String expires = "session=a,b; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Path=/";
    String other = "csrftoken=x; Expires=Thu, 22 Oct 2015 07:28:00 GMT";

    Outcome outcome =
        lua.onResponse(
            response(expires, "ga=1, tracker=2", other), route("enforce", "session", "csrftoken"));

    assertThat(outcome.values("set-cookie")).containsExactly(expires, other);
  }

  @Test
  void noSetCookieIsANoOp() {
    List<Header> response = response();

    Outcome outcome = lua.onResponse(response, route("enforce"));

    assertThat(outcome.headers()).isEqualTo(response);
    assertThat(outcome.logs()).isEmpty();
    assertThat(outcome.dynamicMetadata()).isEmpty();
  }

  @Test
  void aRouteWithoutCookieMonitorMetadataIsNotMonitored() {
    List<Header> response = response(SESSION, TRACKER);

    Outcome outcome = lua.onResponse(response, Map.of());
    Outcome otherEntry = lua.onResponse(response, Map.of("something_else", Map.of("x", 1)));

    assertThat(outcome.headers()).isEqualTo(response);
    assertThat(outcome.logs()).isEmpty();
    assertThat(otherEntry.headers()).isEqualTo(response);
    assertThat(otherEntry.dynamicMetadata()).isEmpty();
  }

  @Test
  void anEmptySetCookieValueSetsNothingAndIsNoViolation() {
    List<Header> response = response("", SESSION);

    Outcome outcome = lua.onResponse(response, route("enforce", "session"));

    assertThat(outcome.headers()).isEqualTo(response);
    assertThat(outcome.logs()).isEmpty();
  }

  @Test
  void manyCookies() {
    List<String> setCookies =
        IntStream.range(0, 300)
            .mapToObj(i -> (i % 3 == 0 ? "keep" : "drop") + i + "=v" + i + "; Path=/")
            .toList();
    String[] allowed = IntStream.range(0, 300).mapToObj(i -> "keep" + i).toArray(String[]::new);

    Outcome outcome =
        lua.onResponse(response(setCookies.toArray(String[]::new)), route("enforce", allowed));

    assertThat(outcome.values("set-cookie"))
        .isEqualTo(setCookies.stream().filter(v -> v.startsWith("keep")).toList());
    assertThat(outcome.logs(LogLevel.WARN)).hasSize(200);
    assertThat(outcome.dynamicMetadata().get(CookieMonitor.DYNAMIC_METADATA_NAMESPACE))
        .containsEntry("violations", 200.0)
        .containsEntry("stripped", 200.0);
  }

  @Test
  void cookieValuesAreNeverLogged() {
    Outcome outcome =
        lua.onResponse(
            response("tracker=SECRET-VALUE; Path=/", "SECRET-TOO"), route("monitor", "session"));

    assertThat(outcome.logs()).hasSize(2).noneMatch(line -> line.message().contains("SECRET"));
    assertThat(outcome.dynamicMetadata().toString()).doesNotContain("SECRET");
  }

  @Test
  void oddNamesAreEscapedAndCutInLogs() {
    String longName = "n".repeat(100);
    Outcome outcome =
        lua.onResponse(
            response("we\"ird name,x=1", "caf\u00e9=2", longName + "=3"),
            route("monitor", "session"));

    assertThat(outcome.logs(LogLevel.WARN))
        .containsExactly(
            "trellis_cookie_violation service=\"shop\" cookie=\"we\\x22ird\\x20name\\x2Cx\""
                + " reason=not_allowed action=kept",
            "trellis_cookie_violation service=\"shop\" cookie=\"caf\\xC3\\xA9\""
                + " reason=not_allowed action=kept",
            "trellis_cookie_violation service=\"shop\" cookie=\""
                + "n".repeat(64)
                + "\" reason=not_allowed action=kept");
  }

  @Test
  void anUnknownModeOnlyMonitorsAndReportsTheConfigError() {
    List<Header> response = response(SESSION, TRACKER);
    Map<String, Object> metadata =
        Map.of(
            CookieMonitor.METADATA_KEY,
            Map.of("service", "shop", "mode", "block", "allowed", List.of("session")));

    Outcome outcome = lua.onResponse(response, metadata);

    assertThat(outcome.headers()).isEqualTo(response);
    assertThat(outcome.logs(LogLevel.ERR))
        .containsExactly(
            "trellis_cookie_monitor service=\"shop\" has mode \"block\", neither monitor nor"
                + " enforce: monitoring only");
    assertThat(outcome.logs(LogLevel.WARN)).hasSize(1);
  }

  @Test
  void stateDoesNotLeakFromOneResponseToTheNext() {
    lua.onResponse(response(TRACKER, SESSION), route("enforce", "session"));

    Outcome second = lua.onResponse(response(SESSION, CSRF), route("monitor", "csrftoken"));

    assertThat(second.values("set-cookie")).containsExactly(SESSION, CSRF);
    assertThat(second.dynamicMetadata().get(CookieMonitor.DYNAMIC_METADATA_NAMESPACE))
        .containsEntry("violations", 1.0)
        .containsEntry("cookies", "session")
        .containsEntry("mode", "monitor");
  }

  @Test
  void routeMetadataHasTheShapeTheScriptReads() {
    assertThat(CookieMonitor.routeMetadata("shop", "enforce", List.of("b", "a")))
        .isEqualTo(
            Map.of(
                "cookie_monitor",
                Map.of("service", "shop", "mode", "enforce", "allowed", List.of("b", "a"))));
    assertThatThrownBy(() -> CookieMonitor.routeMetadata("shop", "Enforce", List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Cookie monitor mode 'Enforce' of service 'shop' is not one of " + CookieMonitor.MODES);
  }

  @Test
  void scriptAvoidsWhereLuaJAndLuaJitDiffer() {
    // LuaJ runs Lua 5.2, Envoy LuaJIT: no 5.2-only features, and no locale-dependent character
    // classes (LuaJ's %w also matches bytes such as 0xC3, LuaJIT's in the C locale does not).
    assertThat(CookieMonitor.script())
        .doesNotContain("%a")
        .doesNotContain("%w")
        .doesNotContain("%l")
        .doesNotContain("%u")
        .doesNotContain("_ENV")
        .doesNotContain("%g")
        .doesNotContain("bit32")
        .doesNotContain("utf8.")
        .doesNotContain("string.pack")
        .doesNotContain("table.move");
  }
}
