package dev.berth.runtime;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as Berth's command lines and control API write them: {@code 1h}, {@code 90m}, {@code 30s}, {@code 500ms}, {@code 0}. */
public final class Durations {

  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(h|m|s|ms)?");

  private Durations() {}

  /**
   * Reads {@code value}; an {@link IllegalArgumentException} names {@code option} and the expected form.
   *
   * @param option the option or field, for the message
   * @param value e.g. {@code 90m}
   * @return the duration
   */
  public static Duration parse(String option, String value) {
    Matcher matcher = DURATION.matcher(value.trim());
    if (!matcher.matches() || (matcher.group(2) == null && !matcher.group(1).equals("0"))) {
      throw new IllegalArgumentException(option + " '" + value + "' is not a duration like 1h, 90m, 30s or 500ms");
    }
    long amount = Long.parseLong(matcher.group(1));
    return switch (matcher.group(2) == null ? "s" : matcher.group(2)) {
      case "h" -> Duration.ofHours(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "ms" -> Duration.ofMillis(amount);
      default -> Duration.ofSeconds(amount);
    };
  }
}
