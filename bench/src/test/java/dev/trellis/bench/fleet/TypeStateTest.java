package dev.trellis.bench.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TypeStateTest {

  private static final String[] NONE = new String[0];

  private static TypeState.Incoming r(String name, int hash) {
    return new TypeState.Incoming(name, hash, "v" + hash, NONE, NONE);
  }

  @Test
  void stateOfTheWorldReplacesAndCountsWhatChanged() {
    TypeState ts = new TypeState();
    assertThat(ts.merge(List.of(r("b", 1), r("a", 2)), true, List.of()))
        .isEqualTo(new TypeState.Merge(2, 0));
    assertThat(ts.names).containsExactly("a", "b");

    // a unchanged, b changed.
    assertThat(ts.merge(List.of(r("a", 2), r("b", 3)), true, List.of()))
        .isEqualTo(new TypeState.Merge(1, 1));
    // b dropped by omission counts as a change.
    assertThat(ts.merge(List.of(r("a", 2)), true, List.of())).isEqualTo(new TypeState.Merge(1, 1));
    assertThat(ts.names).containsExactly("a");
  }

  @Test
  void deltaUpsertsAndRemovesByName() {
    TypeState ts = new TypeState();
    ts.merge(List.of(r("a", 1), r("b", 1)), false, List.of());

    assertThat(ts.merge(List.of(r("c", 1)), false, List.of("a", "zz")))
        .isEqualTo(new TypeState.Merge(2, 0));
    assertThat(ts.names).containsExactly("b", "c");
    assertThat(ts.versions).containsExactly("v1", "v1");
  }

  @Test
  void holdsSubscribedAndRetainsOnlyWhatIsStillWanted() {
    TypeState ts = new TypeState();
    ts.merge(List.of(r("a", 1), r("b", 1)), false, List.of());
    ts.subscribed = new String[] {"a", "c"};
    assertThat(ts.holdsSubscribed()).isFalse();

    ts.retainSubscribed();
    assertThat(ts.names).containsExactly("a");
    ts.subscribed = new String[] {"a"};
    assertThat(ts.holdsSubscribed()).isTrue();
  }

  @Test
  void keepsTheLastFourResponses() {
    TypeState ts = new TypeState();
    for (int i = 1; i <= 6; i++) {
      ts.record("v" + i, i, i + 1, i == 6);
    }
    assertThat(ts.history())
        .extracting(VersionEvent::version)
        .containsExactly("v3", "v4", "v5", "v6");
    assertThat(ts.history().get(3)).isEqualTo(new VersionEvent("v6", 6, 7, true));
  }
}
