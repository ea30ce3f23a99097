package dev.trellis.analyze.envoy;

import com.google.common.net.InetAddresses;
import dev.trellis.analyze.GroupCheck;
import dev.trellis.analyze.GroupContext;
import dev.trellis.analyze.Level;
import dev.trellis.analyze.Rule;
import dev.trellis.render.RenderedResource;
import io.envoyproxy.envoy.config.core.v3.CidrRange;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Filter chains of one listener that match the same connections (TRL211). Envoy files each chain
 * under every combination of its match lists (ports, prefixes, server names, protocols, sources);
 * two chains sharing one combination make it reject the listener. Chains are compared the same way,
 * with an empty list standing for "any".
 */
public final class FilterChainMatchCheck implements GroupCheck {

  public static final Rule RULE =
      new Rule(
          "TRL211",
          "duplicate-filter-chain-match",
          Level.ERROR,
          "Two filter chains of a listener match the same connections.",
          "Envoy rejects a listener in which two filter chains have the same matching rules"
              + " (\"multiple filter chains with the same matching rules are defined\"). Give"
              + " each chain a distinguishing server name, port, protocol or source.");

  /** Beyond this many combinations per chain, compare whole matches instead. */
  private static final int MAX_COMBINATIONS = 4096;

  @Override
  public List<Rule> rules() {
    return List.of(RULE);
  }

  @Override
  public void check(GroupContext context) {
    for (RenderedResource r : EnvoyIndex.of(context).listeners) {
      Listener l = (Listener) r.proto();
      if (l.hasFilterChainMatcher() || l.getFilterChainsCount() < 2) {
        continue;
      }
      Map<String, Integer> owner = new HashMap<>();
      for (int i = 0; i < l.getFilterChainsCount(); i++) {
        FilterChain chain = l.getFilterChains(i);
        Set<Integer> reported = new HashSet<>();
        for (Combination c : combinations(chain.getFilterChainMatch())) {
          Integer first = owner.putIfAbsent(c.key(), i);
          if (first != null && first != i && reported.add(first)) {
            context.report(
                RULE,
                r,
                name(chain, i)
                    + " matches the same connections as "
                    + name(l.getFilterChains(first), first)
                    + " ("
                    + c.description()
                    + ")");
          }
        }
      }
    }
  }

  private static String name(FilterChain chain, int index) {
    String at = "filter_chains[" + index + "]";
    return chain.getName().isEmpty() ? at : "filter chain '" + chain.getName() + "' (" + at + ")";
  }

  /** One cell of Envoy's match tree: a key and what it matches, for messages. */
  record Combination(String key, String description) {}

  private record Part(String key, String label) {}

  static List<Combination> combinations(FilterChainMatch m) {
    List<List<Part>> dims = new ArrayList<>();
    dims.add(
        List.of(
            m.hasDestinationPort()
                ? new Part(
                    Integer.toString(m.getDestinationPort().getValue()),
                    "destination port " + m.getDestinationPort().getValue())
                : new Part("", "")));
    dims.add(cidrs(m.getPrefixRangesList(), "destination "));
    dims.add(strings(m.getServerNamesList(), "server name "));
    dims.add(strings(List.of(m.getTransportProtocol()), "transport protocol "));
    dims.add(strings(m.getApplicationProtocolsList(), "application protocol "));
    dims.add(cidrs(m.getDirectSourcePrefixRangesList(), "direct source "));
    dims.add(
        List.of(
            m.getSourceTypeValue() == 0
                ? new Part("", "")
                : new Part(m.getSourceType().name(), "source type " + m.getSourceType().name())));
    dims.add(cidrs(m.getSourcePrefixRangesList(), "source "));
    dims.add(
        m.getSourcePortsCount() == 0
            ? List.of(new Part("", ""))
            : m.getSourcePortsList().stream()
                .map(p -> new Part(Integer.toString(p), "source port " + p))
                .toList());
    long product = 1;
    for (List<Part> d : dims) {
      product *= d.size();
    }
    if (product > MAX_COMBINATIONS) {
      return List.of(new Combination("whole:" + m, "the same match"));
    }
    List<Combination> out = new ArrayList<>();
    expand(dims, 0, new ArrayList<>(), out);
    return out;
  }

  private static void expand(
      List<List<Part>> dims, int depth, List<Part> chosen, List<Combination> out) {
    if (depth == dims.size()) {
      String key = chosen.stream().map(Part::key).collect(Collectors.joining("\u0001"));
      String description =
          chosen.stream()
              .map(Part::label)
              .filter(s -> !s.isEmpty())
              .collect(Collectors.joining(", "));
      out.add(new Combination(key, description.isEmpty() ? "every connection" : description));
      return;
    }
    for (Part p : dims.get(depth)) {
      chosen.add(p);
      expand(dims, depth + 1, chosen, out);
      chosen.remove(chosen.size() - 1);
    }
  }

  private static List<Part> strings(List<String> values, String what) {
    List<Part> parts = new ArrayList<>();
    for (String v : values) {
      if (!v.isEmpty()) {
        parts.add(new Part(v, what + "'" + v + "'"));
      }
    }
    return parts.isEmpty() ? List.of(new Part("", "")) : parts;
  }

  private static List<Part> cidrs(List<CidrRange> ranges, String what) {
    if (ranges.isEmpty()) {
      return List.of(new Part("", ""));
    }
    List<Part> parts = new ArrayList<>();
    for (CidrRange r : ranges) {
      String cidr = normalize(r);
      parts.add(new Part(cidr, what + cidr));
    }
    return parts;
  }

  /** The range with host bits cleared, as Envoy stores it: 10.1.2.3/8 and 10.0.0.0/8 are one. */
  static String normalize(CidrRange r) {
    int len = r.hasPrefixLen() ? r.getPrefixLen().getValue() : 0;
    try {
      byte[] bytes = InetAddresses.forString(r.getAddressPrefix()).getAddress();
      for (int bit = Math.min(len, bytes.length * 8); bit < bytes.length * 8; bit++) {
        bytes[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
      }
      return InetAddresses.toAddrString(InetAddress.getByAddress(bytes)) + "/" + len;
    } catch (IllegalArgumentException | java.net.UnknownHostException e) {
      return r.getAddressPrefix() + "/" + len; // not an address: TRL201 reports it
    }
  }
}
