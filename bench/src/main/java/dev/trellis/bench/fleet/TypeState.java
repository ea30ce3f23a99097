package dev.trellis.bench.fleet;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a simulated proxy holds of one resource type: per resource only its name, a hash of its
 * bytes, its delta version and the names it makes the proxy subscribe to. Arrays sorted by name
 * keep a node to a few hundred bytes; names and versions are interned fleet-wide.
 */
final class TypeState {

  private static final int HISTORY = 4;
  private static final String[] EMPTY = new String[0];

  String[] names = EMPTY;
  int[] hashes = new int[0];
  String[] versions = EMPTY;
  String[][] dependents = new String[0][];
  String[][] secrets = new String[0][];

  /** The last accepted version_info (state of the world) and the last nonce seen. */
  String acceptedVersion = "";

  String nonce = "";

  /** Names subscribed to; null for a wildcard type, and before CDS/LDS named any. */
  String[] subscribed;

  /** Whether a response of this type was ever accepted. */
  boolean accepted;

  /** Whether an accepted response was received and every subscribed name is held. */
  boolean complete;

  long received;

  private final String[] histVersion = new String[HISTORY];
  private final long[] histReceived = new long[HISTORY];
  private final long[] histAnswered = new long[HISTORY];
  private final boolean[] histNack = new boolean[HISTORY];
  private int histCount;

  /** Counts of one merge: resources whose bytes changed (or that went away) and unchanged ones. */
  record Merge(int changed, int unchanged) {}

  /** One resource of a response, as kept. */
  record Incoming(String name, int hash, String version, String[] dependents, String[] secrets) {}

  private record Held(int hash, String version, String[] dependents, String[] secrets) {}

  /**
   * Merges a response: {@code replaceAll} drops every held resource the response lacks (state of
   * the world CDS/LDS), otherwise only the {@code removed} ones go (delta, and SotW EDS/RDS).
   */
  Merge merge(List<Incoming> in, boolean replaceAll, List<String> removed) {
    int changed = 0;
    int unchanged = 0;
    TreeMap<String, Held> next = new TreeMap<>();
    if (!replaceAll) {
      for (int i = 0; i < names.length; i++) {
        next.put(names[i], new Held(hashes[i], versions[i], dependents[i], secrets[i]));
      }
    }
    for (String r : removed) {
      if (next.remove(r) != null) {
        changed++;
      }
    }
    for (Incoming r : in) {
      int old = find(r.name());
      if (old >= 0 && hashes[old] == r.hash()) {
        unchanged++;
      } else {
        changed++;
      }
      next.put(r.name(), new Held(r.hash(), r.version(), r.dependents(), r.secrets()));
    }
    if (replaceAll) {
      for (String held : names) {
        if (!next.containsKey(held)) {
          changed++;
        }
      }
    }
    int n = next.size();
    names = new String[n];
    hashes = new int[n];
    versions = new String[n];
    dependents = new String[n][];
    secrets = new String[n][];
    int i = 0;
    for (Map.Entry<String, Held> e : next.entrySet()) {
      names[i] = e.getKey();
      hashes[i] = e.getValue().hash();
      versions[i] = e.getValue().version();
      dependents[i] = e.getValue().dependents();
      secrets[i] = e.getValue().secrets();
      i++;
    }
    return new Merge(changed, unchanged);
  }

  /** Drops held resources no longer subscribed to. */
  void retainSubscribed() {
    if (subscribed == null) {
      return;
    }
    Set<String> keep = Set.of(subscribed);
    List<Integer> idx = new ArrayList<>();
    for (int i = 0; i < names.length; i++) {
      if (keep.contains(names[i])) {
        idx.add(i);
      }
    }
    if (idx.size() == names.length) {
      return;
    }
    String[] nn = new String[idx.size()];
    int[] nh = new int[idx.size()];
    String[] nv = new String[idx.size()];
    String[][] nd = new String[idx.size()][];
    String[][] ns = new String[idx.size()][];
    for (int k = 0; k < idx.size(); k++) {
      int j = idx.get(k);
      nn[k] = names[j];
      nh[k] = hashes[j];
      nv[k] = versions[j];
      nd[k] = dependents[j];
      ns[k] = secrets[j];
    }
    names = nn;
    hashes = nh;
    versions = nv;
    dependents = nd;
    secrets = ns;
  }

  int find(String name) {
    return Arrays.binarySearch(names, name);
  }

  /** Whether every subscribed name is held (always, for a wildcard type). */
  boolean holdsSubscribed() {
    if (subscribed == null) {
      return true;
    }
    for (String s : subscribed) {
      if (find(s) < 0) {
        return false;
      }
    }
    return true;
  }

  /** Adds the EDS/RDS names held resources make the proxy subscribe to. */
  void addDependentNames(Set<String> out) {
    for (String[] d : dependents) {
      out.addAll(Arrays.asList(d));
    }
  }

  /** Adds the secrets held resources make the proxy subscribe to. */
  void addSecretNames(Set<String> out) {
    for (String[] d : secrets) {
      out.addAll(Arrays.asList(d));
    }
  }

  void record(String version, long receivedNanos, long answeredNanos, boolean nack) {
    int slot = histCount % HISTORY;
    histVersion[slot] = version;
    histReceived[slot] = receivedNanos;
    histAnswered[slot] = answeredNanos;
    histNack[slot] = nack;
    histCount++;
  }

  /** The last few responses, oldest first. */
  List<VersionEvent> history() {
    List<VersionEvent> out = new ArrayList<>();
    int from = Math.max(0, histCount - HISTORY);
    for (int k = from; k < histCount; k++) {
      int slot = k % HISTORY;
      out.add(
          new VersionEvent(
              histVersion[slot], histReceived[slot], histAnswered[slot], histNack[slot]));
    }
    return out;
  }

  static List<String> list(String[] names) {
    return names == null ? List.of() : List.of(names);
  }

  static Set<String> set(String[] names) {
    return names == null ? Set.of() : new LinkedHashSet<>(List.of(names));
  }
}
