package dev.trellis.publish;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.render.ResourceType;
import java.util.EnumSet;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The log line of a publish counts; it does not list groups (those are in the admin API). */
class PublishResultTest {

  @Test
  void theSummaryHasCountsOnly() {
    List<GroupUpdate> updated =
        IntStream.range(0, 500)
            .mapToObj(
                i ->
                    new GroupUpdate(
                        "service-" + i,
                        i < 3
                            ? EnumSet.of(ResourceType.CLUSTER, ResourceType.ENDPOINT)
                            : EnumSet.of(ResourceType.ENDPOINT)))
            .toList();

    String line = new PublishResult(updated, List.of("gone-1", "gone-2"), 40).toString();

    assertThat(line)
        .isEqualTo(
            "500 group(s) updated, 2 emptied, 40 unchanged; types pushed: CLUSTER 3, ENDPOINT 500");
  }

  @Test
  void nothingPushedNamesNoTypes() {
    assertThat(new PublishResult(List.of(), List.of(), 7).toString())
        .isEqualTo("0 group(s) updated, 0 emptied, 7 unchanged");
  }
}
