package dev.trellis.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.stream.RejectionMemory.Rejection;
import io.envoyproxy.controlplane.cache.Resources.ResourceType;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RejectionMemoryTest {

  private static final Rejection V1 = new Rejection("v1", Map.of());

  @Test
  void forgetsTheLeastRecentlyUsedNodesBeyondItsCapacity() {
    RejectionMemory memory = new RejectionMemory(2);
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
    RejectionMemory memory = new RejectionMemory(10);
    memory.remember("a", ResourceType.CLUSTER, V1);
    memory.remember("a", ResourceType.ENDPOINT, V1);

    memory.forget("a", ResourceType.CLUSTER);
    assertThat(memory.recall("a", ResourceType.CLUSTER)).isNull();
    assertThat(memory.size()).isEqualTo(1);

    memory.forget("a", ResourceType.ENDPOINT);
    assertThat(memory.size()).isZero();
  }
}
