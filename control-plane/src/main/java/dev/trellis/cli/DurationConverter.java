package dev.trellis.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Reads positive durations written like {@code 24h}, {@code 90m}, {@code 1d12h} or {@code PT24H}.
 */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {

  private static final Pattern UNITS =
      Pattern.compile("(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?");

  @Override
  public Duration convert(String value) {
    Duration duration = parse(value);
    if (duration.isZero() || duration.isNegative()) {
      throw new CommandLine.TypeConversionException("duration '" + value + "' must be positive");
    }
    return duration;
  }

  private static Duration parse(String value) {
    if (value.startsWith("P") || value.startsWith("p")) {
      try {
        return Duration.parse(value);
      } catch (DateTimeParseException e) {
        throw invalid(value);
      }
    }
    Matcher m = UNITS.matcher(value);
    if (value.isEmpty() || !m.matches()) {
      throw invalid(value);
    }
    try {
      return Duration.ofDays(number(m.group(1)))
          .plusHours(number(m.group(2)))
          .plusMinutes(number(m.group(3)))
          .plusSeconds(number(m.group(4)));
    } catch (ArithmeticException | NumberFormatException e) {
      throw new CommandLine.TypeConversionException("duration '" + value + "' is too long");
    }
  }

  private static long number(String digits) {
    return digits == null ? 0 : Long.parseLong(digits);
  }

  private static CommandLine.TypeConversionException invalid(String value) {
    return new CommandLine.TypeConversionException(
        "invalid duration '" + value + "': use e.g. 24h, 90m, 3600s, 1d12h or PT24H");
  }
}
