package dev.trellis.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads one definitions file as UTF-8 text within {@link DefinitionTree#MAX_FILE_BYTES} and {@link
 * DefinitionTree#MAX_LINE_BYTES}, before anything parses it: the stream is never read past the
 * first byte over a limit, so a 50 MB line costs no more than a 16 KiB one.
 */
final class BoundedText {

  private static final int CHUNK = 8192;

  /** Exactly one of text and refusal is set; bytes is how many were read either way. */
  record Read(String text, DefinitionTree.Refusal refusal, int bytes) {}

  private BoundedText() {}

  static Read read(String path, InputStream in) throws IOException {
    byte[] buf = new byte[CHUNK];
    int n = 0;
    int line = 1;
    int lineBytes = 0;
    while (true) {
      if (n == buf.length) {
        // Growing stops at one byte over the limit: that byte is how an overlong file shows.
        buf = Arrays.copyOf(buf, Math.min(buf.length * 2, DefinitionTree.MAX_FILE_BYTES + 1));
      }
      int r = in.read(buf, n, Math.min(CHUNK, buf.length - n));
      if (r < 0) {
        break;
      }
      for (int i = n; i < n + r; i++) {
        byte b = buf[i];
        if (b == '\n') {
          line++;
          lineBytes = 0;
        } else if (b == '\r') {
          lineBytes = 0;
        } else if (++lineBytes > DefinitionTree.MAX_LINE_BYTES) {
          return refused(path, line, DefinitionTree.LINE_TOO_LONG, n + r);
        }
      }
      n += r;
      if (n > DefinitionTree.MAX_FILE_BYTES) {
        return refused(path, line, DefinitionTree.FILE_TOO_LARGE, n);
      }
    }
    return decode(path, buf, n);
  }

  /**
   * Strict UTF-8; a NUL byte is refused too, as it is valid UTF-8 but never text: it is how UTF-16
   * without a byte order mark and most binary files show.
   */
  private static Read decode(String path, byte[] bytes, int n) {
    int bad = -1;
    for (int i = 0; i < n; i++) {
      if (bytes[i] == 0) {
        bad = i;
        break;
      }
    }
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes, 0, bad < 0 ? n : bad);
    CharBuffer out = CharBuffer.allocate(n);
    CoderResult result = decoder.decode(in, out, true);
    if (result.isError()) {
      bad = in.position();
    } else {
      decoder.flush(out);
    }
    if (bad >= 0) {
      int line = 1;
      for (int i = 0; i < bad; i++) {
        if (bytes[i] == '\n') {
          line++;
        }
      }
      return refused(
          path,
          line,
          String.format("not UTF-8 text (byte 0x%02X at offset %d)", bytes[bad] & 0xFF, bad),
          n);
    }
    return new Read(out.flip().toString(), null, n);
  }

  private static Read refused(String path, int line, String message, int bytes) {
    return new Read(
        null, new DefinitionTree.Refusal(new SourceLocation(path, line, 1), message), bytes);
  }
}
