package dev.trellis.stream;

import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one stream sent, and what its proxy ACKed and NACKed, for one resource type. Requests of a
 * stream arrive one at a time but responses may be sent from the publishing thread, so every access
 * holds this object's lock. The size is bounded by the group's resources.
 */
final class TypeState {

  /** Delta responses awaiting an ACK or NACK; java-control-plane keeps at most one per type. */
  private static final int MAX_OUTSTANDING = 4;

  private boolean requested;
  private String sentVersion;
  private String sentNonce;
  private Instant sentAt;
  private long sentNanos;
  private long pushes;
  private String ackedVersion;
  private Instant ackedAt;
  private long acks;
  private long nacks;
  private Nack lastNack;

  /**
   * SotW: the resource names of the request the last response answered (null before the first
   * response); the immutable list of that request, not a copy.
   */
  private List<String> answeredNames;

  /**
   * Delta: versions the client holds that java-control-plane does not track: those it announced in
   * initial_resource_versions and those it rejected (held so they are not sent again).
   */
  private Map<String, String> assumed;

  /** Delta: subscribed names already answered as absent (in removed_resources). */
  private Set<String> answeredAbsent;

  private LinkedHashMap<String, DeltaDiscoveryResponse> outstanding;

  /** Marks the type requested; true the first time on this stream. */
  synchronized boolean firstRequest() {
    boolean first = !requested;
    requested = true;
    return first;
  }

  synchronized void sent(String version, String nonce, Instant at, long nanos) {
    sentVersion = version;
    sentNonce = nonce;
    sentAt = at;
    sentNanos = nanos;
    pushes++;
  }

  synchronized void sentSotw(
      String version, String nonce, List<String> names, Instant at, long nanos) {
    sent(version, nonce, at, nanos);
    answeredNames = names;
  }

  /** The version of the last response sent if a SotW request with this nonce answers it. */
  synchronized String versionAnswered(String nonce) {
    return !nonce.isEmpty() && nonce.equals(sentNonce) ? sentVersion : null;
  }

  /** Records an ACK of the last response; returns nanoseconds from its push to the ACK. */
  synchronized long acked(String version, Instant at, long nanos) {
    ackedVersion = version;
    ackedAt = at;
    acks++;
    return nanos - sentNanos;
  }

  synchronized void nacked(Nack nack) {
    lastNack = nack;
    nacks++;
  }

  synchronized String sentVersion() {
    return sentVersion;
  }

  synchronized Nack lastNack() {
    return lastNack;
  }

  /** Whether the last response answered every one of these names (wildcard: empty list). */
  synchronized boolean answered(List<String> names) {
    if (answeredNames == null) {
      return false;
    }
    return names.isEmpty()
        || answeredNames.equals(names)
        || new HashSet<>(answeredNames).containsAll(names);
  }

  synchronized Set<String> unanswered(List<String> names) {
    Set<String> result = new HashSet<>(names);
    if (answeredNames != null) {
      result.removeAll(answeredNames);
    }
    return result;
  }

  // --- delta ---

  synchronized void assume(Map<String, String> versions) {
    if (!versions.isEmpty()) {
      if (assumed == null) {
        assumed = new HashMap<>();
      }
      assumed.putAll(versions);
    }
  }

  synchronized Map<String, String> assumed() {
    return assumed == null ? Map.of() : Map.copyOf(assumed);
  }

  synchronized void unsubscribed(List<String> names) {
    for (String name : names) {
      if (assumed != null) {
        assumed.remove(name);
      }
      if (answeredAbsent != null) {
        answeredAbsent.remove(name);
      }
    }
  }

  synchronized boolean answeredAbsent(String name) {
    return answeredAbsent != null && answeredAbsent.contains(name);
  }

  synchronized void answerAbsent(Set<String> names) {
    if (answeredAbsent == null) {
      answeredAbsent = new HashSet<>();
    }
    answeredAbsent.addAll(names);
  }

  /**
   * Records a delta response: what it carries or removes is no longer assumed, what it removes is
   * answered as absent, and it awaits an answer.
   */
  synchronized void sentDelta(DeltaDiscoveryResponse response, Instant at, long nanos) {
    sent(response.getSystemVersionInfo(), response.getNonce(), at, nanos);
    if (assumed != null) {
      response.getResourcesList().forEach(r -> assumed.remove(r.getName()));
      response.getRemovedResourcesList().forEach(assumed::remove);
    }
    if (answeredAbsent != null) {
      response.getResourcesList().forEach(r -> answeredAbsent.remove(r.getName()));
    }
    if (response.getRemovedResourcesCount() > 0) {
      // Told it is gone: a name still subscribed is not answered as absent again.
      answerAbsent(Set.copyOf(response.getRemovedResourcesList()));
    }
    if (outstanding == null) {
      outstanding = new LinkedHashMap<>();
    }
    outstanding.put(response.getNonce(), response);
    if (outstanding.size() > MAX_OUTSTANDING) {
      outstanding.remove(outstanding.keySet().iterator().next());
    }
  }

  /** The delta response with this nonce, forgotten once answered; null if unknown. */
  synchronized DeltaDiscoveryResponse answer(String nonce) {
    return outstanding == null ? null : outstanding.remove(nonce);
  }

  synchronized TypeStatus status() {
    return new TypeStatus(
        sentVersion, sentAt, pushes, ackedVersion, ackedAt, acks, nacks, lastNack);
  }
}
