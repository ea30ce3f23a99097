package dev.trellis.bench.mesh;

import dev.trellis.model.Dependency;
import dev.trellis.model.EdgeExposure;
import dev.trellis.model.Endpoints;
import dev.trellis.model.Gateway;
import dev.trellis.model.HostPort;
import dev.trellis.model.Mesh;
import dev.trellis.model.MeshConfig;
import dev.trellis.model.MtlsMode;
import dev.trellis.model.Protocol;
import dev.trellis.model.Provenance;
import dev.trellis.model.ServiceDef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Builds a synthetic mesh shaped like a real one: services in tiers (edge-facing, mid, backend,
 * data), each calling a handful of services in deeper tiers (so the graph is acyclic except for a
 * few back edges), the edge-facing tier exposed on gateway {@code public}. Same params, same mesh.
 */
public final class MeshGenerator {

  public static final String GATEWAY = "public";

  /** Share of services per tier, edge-facing first; the data tier takes the rest. */
  private static final double[] TIER_SHARE = {0.05, 0.35, 0.40};

  private static final String[] TIER_NAMES = {"edge", "mid", "backend", "data"};

  private static final String[] WORDS = {
    "accounts",
    "audit",
    "billing",
    "cart",
    "catalog",
    "checkout",
    "coupons",
    "currency",
    "customers",
    "delivery",
    "discovery",
    "documents",
    "email",
    "events",
    "feeds",
    "fraud",
    "geo",
    "identity",
    "images",
    "inventory",
    "invoices",
    "ledger",
    "loyalty",
    "media",
    "messaging",
    "metrics",
    "notifications",
    "orders",
    "payments",
    "pricing",
    "profiles",
    "promotions",
    "quotes",
    "ratings",
    "recommendations",
    "refunds",
    "reports",
    "reviews",
    "search",
    "sessions",
    "settings",
    "shipping",
    "signup",
    "storage",
    "subscriptions",
    "tax",
    "tickets",
    "tokens",
    "tracking",
    "users",
    "vouchers",
    "wallet",
    "warehouse",
    "webhooks"
  };

  private static final Duration[] TIMEOUTS = {
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofSeconds(2),
    Duration.ofSeconds(5)
  };

  private MeshGenerator() {}

  /** The mesh config every synthetic mesh uses (one gateway, mTLS off by default). */
  public static MeshConfig meshConfig() {
    MeshConfig d = MeshConfig.defaults();
    return new MeshConfig(
        "bench",
        "bench.local",
        MtlsMode.DISABLE,
        d.inboundPort(),
        d.outboundPort(),
        List.of(new Gateway(GATEWAY, 8443, 8080)),
        new Provenance(MeshConfig.FILE, Map.of()));
  }

  public static Mesh generate(MeshParams params) {
    Random rnd = new Random(params.seed());
    int n = params.services();
    List<String> names = names(n, rnd);
    int[] tierOf = tiers(n);

    SortedMap<String, ServiceDef> services = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      int tier = tierOf[i];
      Protocol protocol = protocol(tier, rnd);
      boolean sidecar = protocol != Protocol.TCP || rnd.nextBoolean();
      int port =
          switch (protocol) {
            case HTTP -> 8080;
            case GRPC -> 9090;
            // Unique per TCP service: every caller gets one loopback listener per TCP dependency.
            case TCP -> 20000 + i;
          };
      Optional<MtlsMode> mtls = sidecar ? mtls(rnd) : Optional.empty();
      Optional<EdgeExposure> edge =
          tier == 0
              ? Optional.of(
                  new EdgeExposure(
                      GATEWAY,
                      List.of(names.get(i) + ".example.com"),
                      List.of("/api/" + names.get(i))))
              : Optional.empty();
      String name = names.get(i);
      String file = "services/" + name + ".yaml";
      services.put(
          name,
          new ServiceDef(
              name,
              "team-" + TIER_NAMES[tier] + "-" + (i % 7),
              protocol,
              port,
              sidecar,
              mtls,
              new Endpoints(endpoints(i, params.endpoints(), port), Optional.empty()),
              dependencies(i, tierOf, names, rnd),
              edge,
              new Provenance(file, Map.of())));
    }
    return new Mesh(meshConfig(), services, new TreeMap<>());
  }

  /** Static addresses of service {@code index}: its own /24-like block, {@code count} hosts. */
  static List<HostPort> endpoints(int index, int count, int port) {
    List<HostPort> out = new ArrayList<>();
    for (int k = 0; k < count; k++) {
      out.add(new HostPort(host(index, k + 1), port));
    }
    return out;
  }

  static String host(int serviceIndex, int hostNumber) {
    return "10." + (serviceIndex / 250) + "." + (serviceIndex % 250) + "." + hostNumber;
  }

  private static List<String> names(int n, Random rnd) {
    List<String> words = new ArrayList<>(List.of(WORDS));
    java.util.Collections.shuffle(words, rnd);
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String word = words.get(i % words.size());
      int round = i / words.size();
      out.add(round == 0 ? word : word + "-" + (round + 1));
    }
    return out;
  }

  private static int[] tiers(int n) {
    int[] tierOf = new int[n];
    int edge = Math.max(1, (int) Math.round(n * TIER_SHARE[0]));
    int mid = Math.max(1, (int) Math.round(n * TIER_SHARE[1]));
    int backend = Math.max(0, (int) Math.round(n * TIER_SHARE[2]));
    for (int i = 0; i < n; i++) {
      tierOf[i] = i < edge ? 0 : i < edge + mid ? 1 : i < edge + mid + backend ? 2 : 3;
    }
    return tierOf;
  }

  private static Protocol protocol(int tier, Random rnd) {
    if (tier == 0) {
      return Protocol.HTTP;
    }
    double r = rnd.nextDouble();
    if (tier == 3) {
      return r < 0.6 ? Protocol.TCP : r < 0.8 ? Protocol.GRPC : Protocol.HTTP;
    }
    return r < 0.25 ? Protocol.GRPC : Protocol.HTTP;
  }

  private static Optional<MtlsMode> mtls(Random rnd) {
    double r = rnd.nextDouble();
    return r < 0.5
        ? Optional.empty()
        : r < 0.8 ? Optional.of(MtlsMode.PERMISSIVE) : Optional.of(MtlsMode.STRICT);
  }

  /**
   * A handful of callees in deeper tiers, preferring the next tier; about one service in fifty also
   * calls back up a tier (the "mostly" in mostly acyclic).
   */
  private static List<Dependency> dependencies(
      int i, int[] tierOf, List<String> names, Random rnd) {
    int tier = tierOf[i];
    int n = tierOf.length;
    List<Integer> deeper = new ArrayList<>();
    List<Integer> next = new ArrayList<>();
    List<Integer> upper = new ArrayList<>();
    for (int j = 0; j < n; j++) {
      if (tierOf[j] > tier) {
        deeper.add(j);
        if (tierOf[j] == tier + 1) {
          next.add(j);
        }
      } else if (tierOf[j] < tier && tierOf[j] > 0) {
        upper.add(j);
      }
    }
    Set<Integer> picked = new LinkedHashSet<>();
    if (!deeper.isEmpty()) {
      // 1 + geometric: mean fan-out about 3, capped at 8.
      int want = 1;
      while (want < 8 && rnd.nextDouble() < 0.65) {
        want++;
      }
      want = Math.min(want, deeper.size());
      for (int attempt = 0; picked.size() < want && attempt < 100; attempt++) {
        List<Integer> pool = !next.isEmpty() && rnd.nextDouble() < 0.7 ? next : deeper;
        picked.add(pool.get(rnd.nextInt(pool.size())));
      }
    }
    if (!upper.isEmpty() && rnd.nextDouble() < 0.02) {
      picked.add(upper.get(rnd.nextInt(upper.size())));
    }
    List<Dependency> out = new ArrayList<>();
    for (int j : picked) {
      out.add(
          new Dependency(
              names.get(j), Optional.of(TIMEOUTS[rnd.nextInt(TIMEOUTS.length)]), rnd.nextInt(4)));
    }
    return out;
  }
}
