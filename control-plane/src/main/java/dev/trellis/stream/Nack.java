package dev.trellis.stream;

import java.time.Instant;

/**
 * A proxy rejected the response of this version with this error detail at this time. The detail
 * comes from the client: beyond {@value #MAX_DETAIL_CHARS} characters it is cut, saying how much.
 */
public record Nack(String version, String errorDetail, Instant at) {

  /** Enough for any validation message Envoy or gRPC writes; more is kept out of heap and logs. */
  public static final int MAX_DETAIL_CHARS = 4096;

  public Nack {
    if (errorDetail != null && errorDetail.length() > MAX_DETAIL_CHARS) {
      errorDetail =
          errorDetail.substring(0, MAX_DETAIL_CHARS)
              + "... ("
              + (errorDetail.length() - MAX_DETAIL_CHARS)
              + " more characters)";
    }
  }
}
