package dev.trellis.bench.scenario;

import dev.trellis.bench.fleet.NodeSpec;
import dev.trellis.render.ProxyGroup;
import dev.trellis.render.ProxyKind;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * How many proxies each group gets: each gateway about 1% of the fleet (at least 2), the rest
 * spread over the sidecar groups by a seeded weight of 1 to 10 replicas, so that some services run
 * ten times as many instances as others. Same inputs, same plan.
 */
public final class FleetPlan {

  private FleetPlan() {}

  public static List<NodeSpec> nodes(List<ProxyGroup> groups, int total, long seed) {
    List<ProxyGroup> edges = groups.stream().filter(g -> g.kind() == ProxyKind.EDGE).toList();
    List<ProxyGroup> sidecars = groups.stream().filter(g -> g.kind() == ProxyKind.SIDECAR).toList();
    int perEdge = sidecars.isEmpty() ? total / Math.max(1, edges.size()) : Math.max(2, total / 100);
    perEdge = Math.min(perEdge, total / Math.max(1, edges.size() + (sidecars.isEmpty() ? 0 : 1)));
    List<NodeSpec> out = new ArrayList<>(total);
    for (ProxyGroup g : edges) {
      add(out, g, perEdge);
    }
    int rest = total - out.size();
    if (sidecars.isEmpty() || rest <= 0) {
      return out;
    }
    Random rnd = new Random(seed ^ 0x5eedL);
    int[] weight = new int[sidecars.size()];
    long sum = 0;
    for (int i = 0; i < weight.length; i++) {
      weight[i] = 1 + rnd.nextInt(10);
      sum += weight[i];
    }
    // Largest remainder: counts add up to exactly `rest`.
    int[] count = new int[weight.length];
    double[] remainder = new double[weight.length];
    int given = 0;
    for (int i = 0; i < weight.length; i++) {
      double exact = (double) rest * weight[i] / sum;
      count[i] = (int) exact;
      remainder[i] = exact - count[i];
      given += count[i];
    }
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < weight.length; i++) {
      order.add(i);
    }
    order.sort(Comparator.<Integer>comparingDouble(i -> -remainder[i]).thenComparing(i -> i));
    for (int k = 0; given < rest; k++, given++) {
      count[order.get(k % order.size())]++;
    }
    for (int i = 0; i < sidecars.size(); i++) {
      add(out, sidecars.get(i), count[i]);
    }
    return out;
  }

  private static void add(List<NodeSpec> out, ProxyGroup g, int count) {
    for (int k = 0; k < count; k++) {
      out.add(new NodeSpec(g.id() + "~" + k, g.id()));
    }
  }
}
