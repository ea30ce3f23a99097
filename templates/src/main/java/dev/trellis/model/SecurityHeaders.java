package dev.trellis.model;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Response headers the edge adds for browsers, as written at one level (mesh defaults in {@code
 * mesh.yaml}, or a service's {@code edge}): a header maps to its value, or to empty when that level
 * removes it; a header not in the map is inherited. {@link #effective} lays the levels over {@link
 * Header#builtIn()}.
 */
public record SecurityHeaders(Map<Header, Optional<String>> values) {

  public static final SecurityHeaders NONE = new SecurityHeaders(Map.of());

  public SecurityHeaders {
    EnumMap<Header, Optional<String>> copy = new EnumMap<>(Header.class);
    copy.putAll(values);
    values = Collections.unmodifiableMap(copy);
  }

  /** These values with every header they do not mention taken from {@code fallback}. */
  public SecurityHeaders orElse(SecurityHeaders fallback) {
    EnumMap<Header, Optional<String>> merged = new EnumMap<>(Header.class);
    merged.putAll(fallback.values);
    merged.putAll(values);
    return new SecurityHeaders(merged);
  }

  /** The headers to send, by lower-case header name in {@link Header} order, after built-ins. */
  public Map<String, String> effective() {
    Map<String, String> out = new LinkedHashMap<>();
    for (Header h : Header.values()) {
      Optional<String> value = values.containsKey(h) ? values.get(h) : h.builtIn();
      value.ifPresent(v -> out.put(h.headerName(), v));
    }
    return Collections.unmodifiableMap(out);
  }

  /** The headers Trellis manages, with their field names in definitions. */
  public enum Header {
    HSTS("hsts", "strict-transport-security", "max-age=31536000; includeSubDomains"),
    CONTENT_TYPE_OPTIONS("contentTypeOptions", "x-content-type-options", "nosniff"),
    FRAME_OPTIONS("frameOptions", "x-frame-options", "DENY"),
    REFERRER_POLICY("referrerPolicy", "referrer-policy", "strict-origin-when-cross-origin"),
    /** No built-in value: a useful policy depends on what the app loads. */
    CONTENT_SECURITY_POLICY("contentSecurityPolicy", "content-security-policy", null);

    private final String field;
    private final String headerName;
    private final String builtIn;

    Header(String field, String headerName, String builtIn) {
      this.field = field;
      this.headerName = headerName;
      this.builtIn = builtIn;
    }

    public String field() {
      return field;
    }

    public String headerName() {
      return headerName;
    }

    public Optional<String> builtIn() {
      return Optional.ofNullable(builtIn);
    }
  }
}
