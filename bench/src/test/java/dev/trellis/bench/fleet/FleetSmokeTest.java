package dev.trellis.bench.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trellis.bench.baseline.BaselineServer;
import dev.trellis.bench.baseline.GroupConfigs;
import dev.trellis.bench.baseline.SimpleConfigs;
import dev.trellis.bench.mesh.Change;
import dev.trellis.bench.mesh.MeshGenerator;
import dev.trellis.bench.mesh.MeshParams;
import dev.trellis.bench.scenario.FleetPlan;
import dev.trellis.model.Mesh;
import io.envoyproxy.controlplane.cache.Resources.ResourceType;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** 20 simulated proxies against the in-process baseline server, over SotW and delta ADS. */
class FleetSmokeTest {

  private static final Duration LIMIT = Duration.ofSeconds(60);
  private static final Map<XdsType, ResourceType> TYPES =
      Map.of(
          XdsType.CDS, ResourceType.CLUSTER,
          XdsType.EDS, ResourceType.ENDPOINT,
          XdsType.LDS, ResourceType.LISTENER,
          XdsType.RDS, ResourceType.ROUTE,
          XdsType.SDS, ResourceType.SECRET);

  private final GroupConfigs configs = new SimpleConfigs();
  private final Mesh mesh = MeshGenerator.generate(new MeshParams(10, 2, 3));
  private final List<NodeSpec> plan = FleetPlan.nodes(configs.groups(mesh), 20, 3);

  @ParameterizedTest
  @EnumSource(XdsMode.class)
  void everyProxyAcksTheConfigOfItsGroupAndOnlyTheChangedGroupHearsOfAChange(XdsMode mode)
      throws Exception {
    try (BaselineServer server = BaselineServer.start(configs.snapshots(mesh), 0, -1);
        Fleet fleet = new Fleet(server.xdsPort(), plan, Fleet.Options.of(mode).withChannels(4))) {
      fleet.start();
      await().atMost(LIMIT).until(() -> fleet.nodes().stream().allMatch(SimNode::ready));

      for (SimNode n : fleet.nodes()) {
        Snapshot snap = server.snapshot(n.spec().group());
        for (XdsType t : XdsType.values()) {
          assertThat(n.held(t))
              .as("%s %s", n.spec().id(), t)
              .containsExactlyInAnyOrderElementsOf(snap.resources(TYPES.get(t)).keySet());
          if (n.held(t).isEmpty()) {
            continue; // e.g. no EDS for a service without dependencies: nothing was asked
          }
          VersionEvent last = n.history(t).get(n.history(t).size() - 1);
          assertThat(last.nack()).isFalse();
          assertThat(last.answeredNanos()).isGreaterThanOrEqualTo(last.receivedNanos());
          if (mode == XdsMode.SOTW) {
            assertThat(n.acceptedVersion(t)).isEqualTo(snap.version(TYPES.get(t)));
          }
        }
        assertThat(n.stats().nacks()).isZero();
      }

      String group =
          mesh.services().values().stream()
              .filter(s -> Change.routable(s, mesh))
              .map(s -> s.name())
              .filter(g -> plan.stream().anyMatch(p -> p.group().equals(g)))
              .findFirst()
              .orElseThrow();
      Map<String, Long> before = responses(fleet);
      Mesh changed = new Change(Change.Kind.ROUTE, group, 1).applyTo(mesh);
      assertThat(server.apply(configs.snapshotsDependingOn(changed, group))).containsExactly(group);
      String rds = server.snapshot(group).version(ResourceType.ROUTE);
      List<SimNode> affected =
          fleet.nodes().stream().filter(n -> n.spec().group().equals(group)).toList();
      await()
          .atMost(LIMIT)
          .until(
              () ->
                  affected.stream()
                      .allMatch(
                          n ->
                              n.history(XdsType.RDS).stream()
                                  .anyMatch(e -> !e.nack() && e.version().equals(rds))));
      if (mode == XdsMode.SOTW) {
        affected.forEach(n -> assertThat(n.acceptedVersion(XdsType.RDS)).isEqualTo(rds));
      }
      fleet.nodes().stream()
          .filter(n -> !n.spec().group().equals(group))
          .forEach(
              n ->
                  assertThat(n.stats().responses())
                      .as("responses to %s", n.spec().id())
                      .isEqualTo(before.get(n.spec().id())));
    }
  }

  @ParameterizedTest
  @EnumSource(XdsMode.class)
  void aNackedResponseIsRecordedAndTheNextOneAccepted(XdsMode mode) throws Exception {
    NodeSpec victim = plan.get(plan.size() - 1);
    // Reject only the first RDS response: SimpleCache re-sends at once, the second is accepted.
    NackPolicy firstRds =
        (node, type, version, received) ->
            node.equals(victim) && type == XdsType.RDS && received == 0;
    try (BaselineServer server = BaselineServer.start(configs.snapshots(mesh), 0, -1);
        Fleet fleet =
            new Fleet(
                server.xdsPort(),
                plan,
                Fleet.Options.of(mode).withChannels(3).withNack(firstRds))) {
      fleet.start();
      await().atMost(LIMIT).until(() -> fleet.nodes().stream().allMatch(SimNode::ready));

      SimNode n = fleet.nodes().get(plan.size() - 1);
      List<VersionEvent> rds = n.history(XdsType.RDS);
      assertThat(rds.get(0).nack()).isTrue();
      assertThat(rds).anyMatch(e -> !e.nack() && e.version().equals(rds.get(0).version()));
      assertThat(n.stats().nacks()).isEqualTo(1);
      assertThat(fleet.nodes().get(0).stats().nacks()).isZero();
    }
  }

  @ParameterizedTest
  @EnumSource(XdsMode.class)
  void proxiesReconnectToARestartedServerAndKeepWhatTheyHeld(XdsMode mode) throws Exception {
    BaselineServer first = BaselineServer.start(configs.snapshots(mesh), 0, -1);
    int port = first.xdsPort();
    try (Fleet fleet = new Fleet(port, plan, Fleet.Options.of(mode).withChannels(4))) {
      fleet.start();
      await().atMost(LIMIT).until(() -> fleet.nodes().stream().allMatch(SimNode::ready));
      long unchangedBefore =
          fleet.nodes().stream().mapToLong(n -> n.stats().unchangedResources()).sum();
      first.close();
      await().atMost(LIMIT).until(() -> fleet.streamEnds() >= plan.size());

      try (BaselineServer second = BaselineServer.start(configs.snapshots(mesh), port, -1)) {
        await()
            .atMost(LIMIT)
            .until(
                () ->
                    fleet.nodes().stream()
                        .map(SimNode::stats)
                        .allMatch(s -> s.streamAlive() && s.streams() >= 2 && s.responses() > 0));
        assertThat(fleet.nodes()).allMatch(SimNode::ready);
        // Delta re-sends everything; SotW re-sends the named EDS/RDS resources: all unchanged.
        await()
            .atMost(LIMIT)
            .until(
                () ->
                    fleet.nodes().stream().mapToLong(n -> n.stats().unchangedResources()).sum()
                        > unchangedBefore);
      }
    }
  }

  private static Map<String, Long> responses(Fleet fleet) {
    return fleet.nodes().stream()
        .collect(java.util.stream.Collectors.toMap(n -> n.spec().id(), n -> n.stats().responses()));
  }
}
