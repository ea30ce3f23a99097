package dev.trellis.analyze.clients;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.trellis.model.XdsClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What each xDS client does with each config feature, read from {@code capabilities.yaml}: data
 * with a source per entry rather than conditions in code. Immutable.
 */
public final class Capabilities {

  /**
   * One client's support for one feature; before {@code since} it is {@code before}. {@code matrix}
   * is what the conformance matrix sees where that differs from what the status implies (a client
   * that implements a feature but mishandles the matrix's case, as its source says).
   */
  public record Entry(
      Support status,
      Optional<String> since,
      Support before,
      String source,
      Optional<String> matrix) {

    /** The support of a client of this release ({@code status} when the release is unknown). */
    public Support at(Optional<String> release) {
      if (since.isEmpty() || release.isEmpty()) {
        return status;
      }
      return Versions.compare(release.get(), since.get()) < 0 ? before : status;
    }
  }

  /** A feature, with what each client does with it; a client without an entry is unknown. */
  public record Feature(String id, String title, Map<XdsClient, Entry> entries) {
    public Feature {
      entries = Collections.unmodifiableMap(new EnumMap<>(entries));
    }

    public Optional<Entry> entry(XdsClient client) {
      return Optional.ofNullable(entries.get(client));
    }
  }

  /** How a client names itself on the wire, and the release this model was checked against. */
  public record Client(XdsClient client, List<String> userAgents, String tested) {}

  private static final String RESOURCE = "capabilities.yaml";
  private static final Capabilities STANDARD = load();

  private final Map<XdsClient, Client> clients;
  private final Map<String, Feature> features;

  private Capabilities(Map<XdsClient, Client> clients, Map<String, Feature> features) {
    this.clients = Collections.unmodifiableMap(clients);
    this.features = Collections.unmodifiableMap(features);
  }

  /** The model shipped with Trellis. */
  public static Capabilities standard() {
    return STANDARD;
  }

  /** Every feature, in the order of the data file. */
  public List<Feature> features() {
    return List.copyOf(features.values());
  }

  public Optional<Feature> feature(String id) {
    return Optional.ofNullable(features.get(id));
  }

  public Client client(XdsClient client) {
    return clients.get(client);
  }

  /**
   * The client of a node's {@code user_agent_name}: the one with a user agent that the name equals
   * or starts with followed by a space (C-core appends its platform and wrapper).
   */
  public Optional<XdsClient> identify(String userAgentName) {
    for (Client c : clients.values()) {
      for (String agent : c.userAgents()) {
        if (userAgentName.equals(agent) || userAgentName.startsWith(agent + " ")) {
          return Optional.of(c.client());
        }
      }
    }
    return Optional.empty();
  }

  /**
   * What the conformance matrix should see {@code client} do with {@code feature}: {@code works},
   * {@code falls back} (a balancing policy it lacks: Trellis lists round_robin after it), {@code
   * ignored} or {@code rejected}; empty when the model does not know.
   */
  public Optional<String> expectedOutcome(String feature, XdsClient client) {
    return feature(feature)
        .flatMap(f -> f.entry(client))
        .map(
            e -> {
              if (e.matrix().isPresent()) {
                return e.matrix().get();
              }
              if (e.status() == Support.SUPPORTED) {
                return "works";
              }
              return feature.startsWith("lb.") ? "falls back" : e.status().label();
            });
  }

  /** The gRPC release a node reports in {@code user_agent_version}, if it names one. */
  public static Optional<String> release(String userAgentVersion) {
    return Versions.release(userAgentVersion);
  }

  private static Capabilities load() {
    try (InputStream in = Capabilities.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the classpath");
      }
      return parse(new ObjectMapper(new YAMLFactory()).readTree(in));
    } catch (IOException e) {
      throw new UncheckedIOException(RESOURCE + " does not parse", e);
    }
  }

  static Capabilities parse(JsonNode root) {
    Map<XdsClient, Client> clients = new EnumMap<>(XdsClient.class);
    for (Iterator<Map.Entry<String, JsonNode>> it = root.path("clients").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      XdsClient client = client(e.getKey(), "clients");
      List<String> agents = new ArrayList<>();
      e.getValue().path("userAgents").forEach(a -> agents.add(a.asText()));
      clients.put(
          client, new Client(client, List.copyOf(agents), e.getValue().path("tested").asText()));
    }
    for (XdsClient c : XdsClient.values()) {
      if (!clients.containsKey(c)) {
        throw new IllegalStateException(RESOURCE + ": clients lacks " + c.label());
      }
    }
    Map<String, Feature> features = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.path("features").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String id = e.getKey();
      Map<XdsClient, Entry> entries = new EnumMap<>(XdsClient.class);
      String title = "";
      for (Iterator<Map.Entry<String, JsonNode>> f = e.getValue().fields(); f.hasNext(); ) {
        Map.Entry<String, JsonNode> field = f.next();
        if (field.getKey().equals("title")) {
          title = field.getValue().asText();
          continue;
        }
        String where = "features." + id + "." + field.getKey();
        JsonNode v = field.getValue();
        entries.put(
            client(field.getKey(), where),
            new Entry(
                support(v.path("status").asText(), where + ".status"),
                v.hasNonNull("since") ? Optional.of(v.get("since").asText()) : Optional.empty(),
                v.hasNonNull("before")
                    ? support(v.get("before").asText(), where + ".before")
                    : Support.IGNORED,
                v.path("source").asText(),
                v.hasNonNull("matrix") ? Optional.of(v.get("matrix").asText()) : Optional.empty()));
      }
      if (title.isEmpty()) {
        throw new IllegalStateException(RESOURCE + ": features." + id + " has no title");
      }
      features.put(id, new Feature(id, title, entries));
    }
    return new Capabilities(clients, features);
  }

  private static XdsClient client(String label, String where) {
    return XdsClient.ofLabel(label)
        .orElseThrow(
            () -> new IllegalStateException(RESOURCE + ": " + where + ": unknown client " + label));
  }

  private static Support support(String value, String where) {
    try {
      return Support.valueOf(value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(RESOURCE + ": " + where + ": unknown status '" + value + "'");
    }
  }
}
