package dev.trellis.render;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OriginMarkersTest {

  @Test
  void marksTopLevelItemsOutsideJinjaConstructs() {
    String source =
        "{# - not here #}\n"
            + "- a\n"
            + "  - nested\n"
            + "{{ x\n- inside expression }}\n"
            + "{% raw %}\n- raw\n{% endraw %}\n"
            + "-\n"
            + "--- not an item\n"
            + "- b";
    assertThat(OriginMarkers.inject(source, 7))
        .isEqualTo(
            "{# - not here #}\n"
                + "{% trellis_origin 7 2 %}- a\n"
                + "  - nested\n"
                + "{{ x\n- inside expression }}\n"
                + "{% raw %}\n- raw\n{% endraw %}\n"
                + "{% trellis_origin 7 9 %}-\n"
                + "--- not an item\n"
                + "{% trellis_origin 7 11 %}- b");
  }
}
