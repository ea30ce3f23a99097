package dev.trellis.bench.scenario;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads another JVM's heap use after a full GC, through {@code jcmd}: no hook in the server. */
final class Heap {

  private static final Pattern USED = Pattern.compile("used (\\d+)K");

  private Heap() {}

  /** Bytes in use in JVM {@code pid}'s heap right after a full collection. */
  static long usedAfterGc(long pid) throws IOException, InterruptedException {
    // Twice: the first full GC can leave objects that finalization or reference clearing frees.
    jcmd(pid, "GC.run");
    jcmd(pid, "GC.run");
    String info = jcmd(pid, "GC.heap_info");
    Matcher m = USED.matcher(info);
    if (!m.find()) {
      throw new IOException("no 'used NK' in jcmd GC.heap_info output:\n" + info);
    }
    return Long.parseLong(m.group(1)) * 1024;
  }

  private static String jcmd(long pid, String command) throws IOException, InterruptedException {
    Path jdkJcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    String exe = Files.isExecutable(jdkJcmd) ? jdkJcmd.toString() : "jcmd";
    Process p =
        new ProcessBuilder(exe, Long.toString(pid), command).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException(
          "jcmd " + pid + " " + command + " failed:\n" + new String(out, StandardCharsets.UTF_8));
    }
    return new String(out, StandardCharsets.UTF_8);
  }
}
