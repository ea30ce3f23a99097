package dev.trellis.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class NackTest {

  @Test
  void aClientsLongErrorDetailIsCutSayingHowMuch() {
    String detail = "e".repeat(3 << 20);

    Nack nack = new Nack("v1", detail, Instant.EPOCH);

    assertThat(nack.errorDetail())
        .hasSizeLessThan(Nack.MAX_DETAIL_CHARS + 64)
        .startsWith("e".repeat(Nack.MAX_DETAIL_CHARS) + "... (")
        .endsWith("... (" + (detail.length() - Nack.MAX_DETAIL_CHARS) + " more characters)");
    assertThat(new Nack("v1", "no MAGLEV here", Instant.EPOCH).errorDetail())
        .isEqualTo("no MAGLEV here");
  }
}
