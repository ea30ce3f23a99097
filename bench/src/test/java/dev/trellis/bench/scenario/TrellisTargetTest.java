package dev.trellis.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TrellisTargetTest {

  @Test
  void theCliOnTheClassPathHasServe() {
    assertThat(TrellisTarget.available()).isTrue();
  }
}
