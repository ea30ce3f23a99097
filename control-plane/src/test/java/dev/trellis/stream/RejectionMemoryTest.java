package dev.trellis.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.stream.RejectionMemory.Rejection;
import io.envoyproxy.controlplane.cache.Resources.ResourceType;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RejectionMemoryTest {

  private static final Rejection V1 = new Rejection("v1", Map.of());
  private static final long MIB = 1 << 20;

  @Test
  void forgetsTheLeastRecentlyUsedNodesBeyondItsCapacity() {
    RejectionMemory memory = new RejectionMemory(2, MIB);
    memory.remember("a", ResourceType.CLUSTER, V1);
    memory.remember("b", ResourceType.CLUSTER, V1);
    assertThat(memory.recall("a", ResourceType.CLUSTER)).isEqualTo(V1); // a is now recent

    memory.remember("c", ResourceType.LISTENER, V1);

    assertThat(memory.size()).isEqualTo(2);
    assertThat(memory.recall("b", ResourceType.CLUSTER)).isNull();
    assertThat(memory.recall("a", ResourceType.CLUSTER)).isEqualTo(V1);
    assertThat(memory.recall("c", ResourceType.LISTENER)).isEqualTo(V1);
  }

  @Test
  void anAckForgetsTheTypeAndAnEmptyNodeIsDropped() {
    RejectionMemory memory = new RejectionMemory(10, MIB);
    memory.remember("a", ResourceType.CLUSTER, V1);
    memory.remember("a", ResourceType.ENDPOINT, V1);

    memory.forget("a", ResourceType.CLUSTER);
    assertThat(memory.recall("a", ResourceType.CLUSTER)).isNull();
    assertThat(memory.size()).isEqualTo(1);

    memory.forget("a", ResourceType.ENDPOINT);
    assertThat(memory.size()).isZero();
    assertThat(memory.bytes()).isZero();
  }

  @Test
  void multiMegabyteNodeIdsCostAFewHundredBytesEachAndStayDistinct() {
    RejectionMemory memory = new RejectionMemory(16_384, 8 * MIB);
    String base = "n".repeat(4 * (int) MIB);
    for (int i = 0; i < 32; i++) {
      memory.remember(base + i, ResourceType.CLUSTER, new Rejection("v" + i, Map.of()));
    }

    assertThat(memory.size()).isEqualTo(32);
    assertThat(memory.bytes()).isLessThan(32 * 1024);
    assertThat(memory.recall(base + 7, ResourceType.CLUSTER).version()).isEqualTo("v7");
    assertThat(memory.recall(base + 31, ResourceType.CLUSTER).version()).isEqualTo("v31");
    assertThat(memory.recall(base, ResourceType.CLUSTER)).isNull();
    assertThat(RejectionMemory.key(base)).hasSizeGreaterThan(RejectionMemory.MAX_KEY_CHARS);
  }

  @Test
  void theByteBoundForgetsTheOldestNodesFirst() {
    RejectionMemory memory = new RejectionMemory(16_384, MIB);
    Map<String, String> resources = new HashMap<>();
    for (int i = 0; i < 500; i++) {
      resources.put("endpoint-" + i + "-" + "e".repeat(64), "0123456789abcdef");
    }
    Rejection big = new Rejection("v", resources); // about 110 KB, under an eighth of 1 MiB
    for (int i = 0; i < 100; i++) {
      memory.remember("node-" + i, ResourceType.ENDPOINT, big);
      assertThat(memory.bytes()).isLessThanOrEqualTo(MIB);
    }

    assertThat(memory.size()).isBetween(8, 10);
    assertThat(memory.recall("node-99", ResourceType.ENDPOINT)).isEqualTo(big);
    assertThat(memory.recall("node-0", ResourceType.ENDPOINT)).isNull();
  }

  @Test
  void aRejectionOverAnEighthOfTheBoundIsNotRemembered() {
    RejectionMemory memory = new RejectionMemory(16_384, 64 * 1024);
    memory.remember("a", ResourceType.CLUSTER, V1);
    Map<String, String> resources = new HashMap<>();
    for (int i = 0; i < 200; i++) {
      resources.put("cluster-" + i, "v2");
    }

    memory.remember("a", ResourceType.CLUSTER, new Rejection("v2", resources));

    assertThat(memory.recall("a", ResourceType.CLUSTER)).isNull();
    assertThat(memory.size()).isZero();
    assertThat(memory.bytes()).isZero();
  }
}
