package dev.trellis.render;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.render.EnvoyLuaHarness.Header;
import dev.trellis.render.EnvoyLuaHarness.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/** Enforce leaves exactly the allowed cookies, for any cookies and allowlist. */
class CookieMonitorPropertyTest {

  /** Names that collide often, differing only in case or by a character. */
  private static final List<String> COMMON =
      List.of("session", "Session", "SESSION", "sid", "_ga", "_gid", "csrf", "csrf_", "ad-id", "x");

  // One harness for all tries, like one Envoy worker's Lua state across many responses.
  private final EnvoyLuaHarness lua =
      new EnvoyLuaHarness(CookieMonitor.script(), "cookie_monitor.lua");

  record Cookie(String name, String setCookie) {}

  @Property(tries = 300)
  void enforceLeavesExactlyTheAllowedCookies(
      @ForAll("cookies") List<Cookie> cookies, @ForAll("allowlists") Set<String> allowed) {
    List<Header> response = response(cookies);

    Outcome enforced =
        lua.onResponse(response, CookieMonitor.routeMetadata("svc", "enforce", allowed));

    List<String> expected =
        cookies.stream().filter(c -> allowed.contains(c.name())).map(Cookie::setCookie).toList();
    assertThat(enforced.values("set-cookie")).isEqualTo(expected);
    assertThat(enforced.headersExcept("set-cookie"))
        .isEqualTo(response.stream().filter(h -> !h.key().equals("set-cookie")).toList());
    assertViolations(enforced, cookies.size() - expected.size());
  }

  @Property(tries = 300)
  void monitorNeverChangesTheResponse(
      @ForAll("cookies") List<Cookie> cookies, @ForAll("allowlists") Set<String> allowed) {
    List<Header> response = response(cookies);

    Outcome monitored =
        lua.onResponse(response, CookieMonitor.routeMetadata("svc", "monitor", allowed));

    assertThat(monitored.headers()).isEqualTo(response);
    assertViolations(
        monitored, (int) cookies.stream().filter(c -> !allowed.contains(c.name())).count());
  }

  private static void assertViolations(Outcome outcome, int violations) {
    if (violations == 0) {
      assertThat(outcome.dynamicMetadata()).isEmpty();
      assertThat(outcome.logs()).isEmpty();
    } else {
      assertThat(outcome.dynamicMetadata().get(CookieMonitor.DYNAMIC_METADATA_NAMESPACE))
          .containsEntry("violations", (double) violations);
      assertThat(outcome.logs()).hasSize(violations);
    }
  }

  private static List<Header> response(List<Cookie> cookies) {
    List<Header> headers = new ArrayList<>();
    headers.add(new Header(":status", "200"));
    for (int i = 0; i < cookies.size(); i++) {
      headers.add(new Header("set-cookie", cookies.get(i).setCookie()));
      if (i % 4 == 1) {
        headers.add(new Header("x-between", Integer.toString(i)));
      }
    }
    return headers;
  }

  @Provide
  Arbitrary<List<Cookie>> cookies() {
    Arbitrary<String> value = Arbitraries.strings().withChars("abcXYZ019-_.~%").ofMaxLength(12);
    Arbitrary<String> attributes =
        Arbitraries.of(
            "",
            "; Path=/",
            "; Expires=Wed, 21 Oct 2015 07:28:00 GMT",
            "; Secure; HttpOnly; SameSite=Lax",
            "; Domain=example.com; Max-Age=60");
    return Combinators.combine(names(), value, attributes)
        .as((name, v, attrs) -> new Cookie(name, name + "=" + v + attrs))
        .list()
        .ofMaxSize(25);
  }

  @Provide
  Arbitrary<Set<String>> allowlists() {
    return names().set().ofMaxSize(8);
  }

  /** RFC 6265 tokens, mostly drawn from a small pool so cookies and allowlists overlap. */
  private static Arbitrary<String> names() {
    Arbitrary<String> tokens =
        Arbitraries.strings()
            .withCharRange('a', 'z')
            .withCharRange('A', 'Z')
            .withCharRange('0', '9')
            .withChars("!#$%&'*+-.^_`|~")
            .ofMinLength(1)
            .ofMaxLength(10);
    return Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.of(COMMON)), Tuple.of(1, tokens));
  }
}
