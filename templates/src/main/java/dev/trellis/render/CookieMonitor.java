package dev.trellis.render;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The edge cookie monitor: an Envoy Lua HTTP filter script and the route metadata that configures
 * it per service.
 *
 * <p>Wiring on an edge listener: the HTTP connection manager gets, before the router, a filter
 * named {@value #FILTER_NAME} with typed config {@code
 * type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua} whose {@code
 * default_source_code.inline_string} is {@link #script()}. Every route of a monitored service's
 * virtual host carries {@link #routeMetadata} under {@code
 * metadata.filter_metadata["envoy.filters.http.lua"]}, in YAML:
 *
 * <pre>
 * metadata:
 *   filter_metadata:
 *     envoy.filters.http.lua:
 *       cookie_monitor:
 *         service: "shop"
 *         mode: "enforce"                    # monitor | enforce
 *         allowed: ["session", "csrftoken"]  # strings, quoted so YAML keeps them strings
 * </pre>
 *
 * Routes without it are not monitored. Violations are logged and written to dynamic metadata
 * namespace {@value #DYNAMIC_METADATA_NAMESPACE}; the script's header comment has the details.
 */
public final class CookieMonitor {

  /** Classpath resource holding the Lua script. */
  public static final String RESOURCE = "trellis/lua/cookie_monitor.lua";

  /**
   * Name of the HTTP filter. The script reads route metadata under this key, which is also the Lua
   * filter's canonical name, the key every Envoy release falls back to.
   */
  public static final String FILTER_NAME = "envoy.filters.http.lua";

  /** Key of the monitor's entry in the route's filter metadata for {@link #FILTER_NAME}. */
  public static final String METADATA_KEY = "cookie_monitor";

  /** Dynamic metadata namespace the script writes violations to, for access logs. */
  public static final String DYNAMIC_METADATA_NAMESPACE = "trellis.cookie_monitor";

  /** The modes the script understands. */
  public static final List<String> MODES = List.of("monitor", "enforce");

  private static final String SCRIPT = load();

  private CookieMonitor() {}

  /** The Lua source. */
  public static String script() {
    return SCRIPT;
  }

  /**
   * The filter metadata entry (the value under {@link #FILTER_NAME}) that configures the monitor
   * for one service's routes.
   *
   * @param mode {@code monitor} or {@code enforce}
   * @param allowed cookie names; order is kept, compared case-sensitively by the script
   */
  public static Map<String, Object> routeMetadata(
      String service, String mode, Collection<String> allowed) {
    if (!MODES.contains(mode)) {
      throw new IllegalArgumentException(
          "Cookie monitor mode '" + mode + "' of service '" + service + "' is not one of " + MODES);
    }
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("service", service);
    entry.put("mode", mode);
    entry.put("allowed", List.copyOf(allowed));
    return Map.of(METADATA_KEY, Collections.unmodifiableMap(entry));
  }

  private static String load() {
    try (InputStream in = CookieMonitor.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("Missing classpath resource " + RESOURCE);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read classpath resource " + RESOURCE, e);
    }
  }
}
