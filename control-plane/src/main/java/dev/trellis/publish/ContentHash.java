package dev.trellis.publish;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * Versions derived from content: the same resources give the same version in every process, so a
 * restart or a re-read of unchanged input changes no version and pushes nothing.
 */
final class ContentHash {

  /** 64 bits of SHA-256: collisions are irrelevant at the scale of one group's history. */
  private static final int BYTES = 8;

  private ContentHash() {}

  /** The version of one resource: SHA-256 over its deterministic wire form (maps sorted by key). */
  static String of(Message resource) {
    byte[] bytes = new byte[resource.getSerializedSize()];
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.useDeterministicSerialization();
    try {
      resource.writeTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // cannot happen: writing into an array of the exact size
    }
    out.checkNoSpaceLeft();
    return hex(sha256().digest(bytes));
  }

  /** The version of a set of resources: SHA-256 over the name-ordered (name, version) pairs. */
  static String ofVersions(Map<String, String> versionsByName) {
    MessageDigest digest = sha256();
    versionsByName.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            e -> {
              digest.update(e.getKey().getBytes(StandardCharsets.UTF_8));
              digest.update((byte) 0);
              digest.update(e.getValue().getBytes(StandardCharsets.UTF_8));
              digest.update((byte) '\n');
            });
    return hex(digest.digest());
  }

  private static String hex(byte[] digest) {
    return HexFormat.of().formatHex(digest, 0, BYTES);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime provides SHA-256", e);
    }
  }
}
