package dev.trellis.bench.lint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of this JVM's finished child processes, from Linux's {@code /proc/self/stat} (cutime +
 * cstime): a process's own CPU time is gone once it has exited.
 */
final class ChildCpu {

  /** USER_HZ: the unit of /proc times, 100 on every Linux this runs on. */
  private static final long TICKS_PER_SECOND = 100;

  private ChildCpu() {}

  /** Milliseconds of CPU used by waited-for children so far; -1 where /proc is unavailable. */
  static long millis() {
    try {
      String stat = Files.readString(Path.of("/proc/self/stat"));
      // Fields after the command name, which may itself hold spaces or parentheses.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(fields[13]) + Long.parseLong(fields[14]);
      return ticks * 1000 / TICKS_PER_SECOND;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
