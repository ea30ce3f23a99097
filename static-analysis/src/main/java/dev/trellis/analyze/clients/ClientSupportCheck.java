package dev.trellis.analyze.clients;

import dev.trellis.analyze.Level;
import dev.trellis.analyze.MeshCheck;
import dev.trellis.analyze.MeshContext;
import dev.trellis.analyze.Rule;
import dev.trellis.analyze.clients.Capabilities.Entry;
import dev.trellis.analyze.clients.Capabilities.Feature;
import dev.trellis.model.ServiceDef;
import dev.trellis.model.XdsClient;
import dev.trellis.render.ProxyKind;
import dev.trellis.render.RenderedGroup;
import dev.trellis.render.RenderedResource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Config that a group's xDS clients reject (TRL501) or accept without acting on it (TRL502), by the
 * capability model. A group's clients are Envoy for sidecars and edge proxies, and for a proxyless
 * service the gRPC clients its definition names ({@code clients:}), all of them when it names none.
 * One finding per resource and verdict, naming each feature and the clients.
 */
public final class ClientSupportCheck implements MeshCheck {

  public static final Rule REJECTS =
      new Rule(
          "TRL501",
          "client-rejects-config",
          Level.ERROR,
          "A client of the group NACKs this config: it does not support a feature it uses.",
          "A client NACKs a resource with a feature it does not implement, such as a balancing"
              + " policy outside its registry or an HTTP filter it does not know, and keeps its"
              + " previous config (or none). The capability model (capabilities.yaml, from the"
              + " gRPC xDS features table, the gRFCs and the conformance matrix) says which"
              + " client supports what; narrow the service's clients: or change the policy.");

  public static final Rule IGNORES =
      new Rule(
          "TRL502",
          "client-ignores-config",
          Level.WARNING,
          "A client of the group accepts this config but does not act on a feature it uses.",
          "gRPC clients ignore xDS fields they do not implement without a word (e.g. circuit"
              + " breaker limits other than max_requests, outlier detection by consecutive"
              + " errors, per-try timeouts, RBAC shadow rules): the policy is published but not"
              + " in force for these clients.");

  private final Capabilities capabilities;

  public ClientSupportCheck(Capabilities capabilities) {
    this.capabilities = capabilities;
  }

  @Override
  public List<Rule> rules() {
    return List.of(REJECTS, IGNORES);
  }

  @Override
  public void check(MeshContext context) {
    for (RenderedGroup group : context.rendered().groups().values()) {
      List<XdsClient> clients = clients(context, group);
      for (RenderedResource resource : group.resources()) {
        // verdict → "feature (detail): source" → the clients it applies to
        Map<Support, Map<String, Set<String>>> verdicts = new LinkedHashMap<>();
        for (FeatureUse use : ConfigFeatures.of(resource)) {
          for (XdsClient client : clients) {
            verdict(use, client)
                .filter(v -> v.support() != Support.SUPPORTED)
                .ifPresent(
                    v ->
                        verdicts
                            .computeIfAbsent(v.support(), s -> new LinkedHashMap<>())
                            .computeIfAbsent(v.text(), t -> new LinkedHashSet<>())
                            .add(client.label()));
          }
        }
        report(context, group, resource, REJECTS, "rejected", verdicts.get(Support.REJECTED));
        report(context, group, resource, IGNORES, "ignored", verdicts.get(Support.IGNORED));
      }
    }
  }

  private static List<XdsClient> clients(MeshContext context, RenderedGroup group) {
    if (group.group().kind() != ProxyKind.GRPC) {
      return List.of(XdsClient.ENVOY);
    }
    return context
        .mesh()
        .service(group.group().name())
        .map(ServiceDef::servedClients)
        .orElse(XdsClient.GRPC);
  }

  private static void report(
      MeshContext context,
      RenderedGroup group,
      RenderedResource resource,
      Rule rule,
      String verb,
      Map<String, Set<String>> byText) {
    if (byText == null) {
      return;
    }
    List<String> parts = new ArrayList<>();
    byText.forEach((text, clients) -> parts.add(String.join(", ", clients) + ": " + text));
    context.report(
        rule,
        group,
        resource,
        verb + " by " + String.join("; ", parts) + " (see docs/conformance.md)");
  }

  /** What one client does with one use, or empty when the model does not know. */
  Optional<Verdict> verdict(FeatureUse use, XdsClient client) {
    if (use.choices().size() == 1 && !use.choices().get(0).contains("/")) {
      String id = use.choices().get(0);
      return entry(id, client)
          .map(
              e -> new Verdict(e.status(), describe(id) + " at " + use.detail() + " [" + id + "]"));
    }
    boolean unknown = false;
    for (String choice : use.choices()) {
      Support combined = Support.SUPPORTED;
      for (String part : choice.split("/")) {
        Optional<Entry> e = entry(part, client);
        if (e.isEmpty()) {
          unknown = true;
          combined = null;
          break;
        }
        if (e.get().status() != Support.SUPPORTED) {
          combined = Support.REJECTED;
        }
      }
      if (combined == Support.SUPPORTED) {
        return Optional.of(new Verdict(Support.SUPPORTED, ""));
      }
    }
    if (unknown) {
      return Optional.empty();
    }
    return Optional.of(
        new Verdict(
            Support.REJECTED,
            "none of the balancing policies at "
                + use.detail()
                + " ["
                + String.join(", ", use.choices())
                + "]"));
  }

  private Optional<Entry> entry(String feature, XdsClient client) {
    return capabilities.feature(feature).flatMap(f -> f.entry(client));
  }

  private String describe(String feature) {
    return capabilities.feature(feature).map(Feature::title).orElse(feature);
  }

  record Verdict(Support support, String text) {}
}
