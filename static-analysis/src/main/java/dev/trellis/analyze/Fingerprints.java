package dev.trellis.analyze;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** Line-independent finding identities, for baselines and SARIF partial fingerprints. */
final class Fingerprints {

  /**
   * Group findings end with {@code [group 'g', template 't' line N]} (see {@link GroupContext});
   * the template line moves whenever a template is edited above the resource, so it is left out.
   */
  private static final Pattern TEMPLATE_LINE = Pattern.compile(" line \\d+]$");

  private Fingerprints() {}

  static String of(Finding f) {
    String text =
        String.join(
            "\u0000",
            f.ruleId(),
            f.location().file(),
            f.group().orElse(""),
            f.resource().orElse(""),
            TEMPLATE_LINE.matcher(f.message()).replaceFirst("]"));
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
