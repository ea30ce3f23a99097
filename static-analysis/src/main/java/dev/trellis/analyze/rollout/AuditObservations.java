package dev.trellis.analyze.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What services in {@code authz: audit} saw: per service, the callers their shadow rules would have
 * denied, by identity ({@value #UNAUTHENTICATED} for calls without a client certificate) with the
 * number of calls. Collected from the sidecars' shadow-denial logs; absent when nobody collected
 * any, and then the rules that need it stay silent.
 *
 * <p>File format (JSON): {@code {"ledger": {"spiffe://td/service/reports": 12, "unauthenticated":
 * 3}}}.
 */
public record AuditObservations(SortedMap<String, SortedMap<String, Long>> deniedByService) {

  /** The identity recorded for calls that presented no client certificate. */
  public static final String UNAUTHENTICATED = "unauthenticated";

  public AuditObservations {
    SortedMap<String, SortedMap<String, Long>> copy = new TreeMap<>();
    deniedByService.forEach(
        (s, m) -> copy.put(s, Collections.unmodifiableSortedMap(new TreeMap<>(m))));
    deniedByService = Collections.unmodifiableSortedMap(copy);
  }

  /** The would-be denials seen at {@code service}, by caller identity; empty if none. */
  public SortedMap<String, Long> deniedAt(String service) {
    return deniedByService.getOrDefault(service, Collections.emptySortedMap());
  }

  /**
   * Reads the JSON file.
   *
   * @throws IOException if it cannot be read, or with a message naming the file and the bad value
   */
  public static AuditObservations read(Path file) throws IOException {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(Files.readString(file));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IOException(file + ": not JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new IOException(file + ": expected an object of services");
    }
    SortedMap<String, SortedMap<String, Long>> out = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> service = it.next();
      if (!service.getValue().isObject()) {
        throw new IOException(
            file + ": '" + service.getKey() + "': expected an object of caller identities");
      }
      SortedMap<String, Long> callers = new TreeMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> c = service.getValue().fields(); c.hasNext(); ) {
        Map.Entry<String, JsonNode> caller = c.next();
        if (!caller.getValue().canConvertToLong() || caller.getValue().asLong() < 0) {
          throw new IOException(
              file
                  + ": '"
                  + service.getKey()
                  + "'.'"
                  + caller.getKey()
                  + "': expected a count of calls, got "
                  + caller.getValue());
        }
        callers.put(caller.getKey(), caller.getValue().asLong());
      }
      out.put(service.getKey(), callers);
    }
    return new AuditObservations(out);
  }
}
