package dev.trellis.analyze.lint;

import dev.trellis.render.RenderLimits;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code --render-timeout} and {@code --render-max-output}, the same for every command that renders
 * ({@code lint}, {@code render}, {@code serve}): what one proxy group's templates may take.
 */
public final class RenderLimitOptions {

  @Option(
      names = "--render-timeout",
      paramLabel = "DURATION",
      defaultValue = "10s",
      converter = TimeoutConverter.class,
      description =
          "time one proxy group's templates may take together, e.g. 10s, 1500ms, 1m; a group over"
              + " it fails the render (default: ${DEFAULT-VALUE})")
  Duration timeout;

  @Option(
      names = "--render-max-output",
      paramLabel = "SIZE",
      defaultValue = "16MiB",
      converter = SizeConverter.class,
      description =
          "output one proxy group's templates may produce together, e.g. 16MiB, 512KiB; a group"
              + " over it fails the render (default: ${DEFAULT-VALUE})")
  long maxOutput;

  public RenderLimits limits() {
    return new RenderLimits(timeout, maxOutput);
  }

  private static final Pattern TIMEOUT = Pattern.compile("(\\d{1,9})(ms|s|m)");
  private static final Pattern SIZE = Pattern.compile("(\\d{1,12})(B|KiB|MiB|GiB)?");

  static final class TimeoutConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      Matcher m = TIMEOUT.matcher(value.strip());
      if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
        throw new CommandLine.TypeConversionException(
            "invalid duration '" + value + "': use a positive number of ms, s or m, e.g. 10s");
      }
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        default -> Duration.ofMinutes(n);
      };
    }
  }

  static final class SizeConverter implements CommandLine.ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
      Matcher m = SIZE.matcher(value.strip());
      if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
        throw new CommandLine.TypeConversionException(
            "invalid size '"
                + value
                + "': use a positive number of B, KiB, MiB or GiB, e.g. 16MiB");
      }
      long n = Long.parseLong(m.group(1));
      String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
      int shift =
          switch (unit) {
            case "KIB" -> 10;
            case "MIB" -> 20;
            case "GIB" -> 30;
            default -> 0;
          };
      if (n > (Long.MAX_VALUE >> shift)) {
        throw new CommandLine.TypeConversionException("size '" + value + "' is too large");
      }
      return n << shift;
    }
  }
}
