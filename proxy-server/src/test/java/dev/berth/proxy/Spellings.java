package dev.berth.proxy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Generates request targets: spellings of one path that some lenient reader (case-folding, decoding
 * again, dropping {@code ;} parameters, taking {@code \} for {@code /}, NFKC) would take for it. Seeded,
 * so a failing spelling comes back on every run.
 */
final class Spellings {

  /** Characters that NFKC or case folding turn into the ASCII one (besides the fullwidth forms). */
  private static final Map<Character, String> LOOK_ALIKES = Map.of(
      'i', "\u0131\u0130\u2170\u2139",
      'k', "\u212a",
      'm', "\u217f",
      'e', "\u212f",
      's', "\u017f",
      'a', "\u00aa",
      'c', "\u217d",
      'd', "\u217e",
      '-', "\u2010\u2011\ufe63\u207b");
  private static final String[] VERSIONS = {"latest", "2021-07-15", "1.0", "2009-04-04"};
  private static final String[] BAD_VERSIONS = {"2099-01-01", "v1", "0", "latest2", "2021-7-15", "..", "%00", ""};
  private static final String[] TAILS = {";", ";x=1", ";jsessionid=0", "%3B", "%253B", ".", "%2e", "%20", "%09", "%00",
      "::$DATA", "%2F", "%252F"};
  private static final String[] ODD_SEPARATORS = {"//", "/./", "/x/../", "/%2e/", "/x/%2e%2e/", "/x/%2E%2E/", "%2F", "%2f",
      "%252F", "%25252F", "\\", "%5C", "%255C", "/\\", ";/", "/;/", "%2F%2F", "/%252e%252e/", "/.%2e/", "/%u002f"};
  private static final String[] PREFIXES = {"/x/..", "/.", "//", "/%2e", "/x/%2e%2e", "http://169.254.169.254",
      "HTTP://169.254.169.254:80", "//169.254.169.254"};
  private static final String[] SUFFIXES = {"?", "?x=1", "?/../../meta-data/iam/", "#", "#/../iam", "%23", "%3F", "/.",
      "/x/.."};
  private static final String[] HARMLESS_SEPARATORS = {"/", "//", "/./", "/placement/../"};

  private final Random random;

  Spellings(long seed) {
    this.random = new Random(seed);
  }

  /** A spelling of {@code /VERSION/} + {@code below} with the version real, unknown, in any case, or missing. */
  String forbidden(List<String> below) {
    List<String> parts = new ArrayList<>();
    int version = random.nextInt(10);
    if (version < 7) {
      parts.add(pick(VERSIONS));
    } else if (version < 9) {
      parts.add(pick(BAD_VERSIONS));
    }
    parts.addAll(below);
    StringBuilder target = new StringBuilder(random.nextInt(3) == 0 ? pick(PREFIXES) : "");
    for (String part : parts) {
      int odd = random.nextInt(10);
      target.append(odd < 8 ? "/" : pick(ODD_SEPARATORS)).append(respelled(part));
    }
    return target.append(random.nextInt(3) == 0 ? pick(SUFFIXES) : "").toString();
  }

  /** {@code canonical} (e.g. {@code /latest/meta-data/}) with segments percent-encoded and harmless dot segments. */
  String harmless(String canonical) {
    StringBuilder target = new StringBuilder();
    for (String part : canonical.substring(1).split("/", -1)) {
      target.append(pick(HARMLESS_SEPARATORS)).append(random.nextBoolean() ? percentEncoded(part) : part);
    }
    return target.toString();
  }

  private String respelled(String segment) {
    if (segment.isEmpty()) {
      return pick(new String[] {"", "", ";", "%2F", "."});
    }
    return switch (random.nextInt(12)) {
      case 0, 1 -> segment;
      case 2 -> mixedCase(segment);
      case 3 -> percentEncoded(segment);
      case 4 -> percentEncoded(percentEncoded(segment));
      case 5 -> partlyEncoded(segment, 1 + random.nextInt(3));
      case 6 -> lookAlike(segment);
      case 7 -> utf8PercentEncoded(lookAlike(segment));
      case 8 -> segment + pick(TAILS);
      case 9 -> partlyEncoded(mixedCase(segment), 2);
      case 10 -> mixedCase(segment) + pick(TAILS);
      default -> lookAlike(mixedCase(segment));
    };
  }

  private String mixedCase(String segment) {
    StringBuilder out = new StringBuilder(segment.length());
    for (char c : segment.toCharArray()) {
      out.append(random.nextBoolean() ? Character.toUpperCase(c) : Character.toLowerCase(c));
    }
    return out.toString();
  }

  /** One character percent-encoded {@code times} times over ({@code i} → {@code %69} → {@code %2569} …), in either hex case. */
  private String partlyEncoded(String segment, int times) {
    int at = random.nextInt(segment.length());
    String one = segment.substring(at, at + 1);
    for (int i = 0; i < times; i++) {
      one = percentEncoded(one.substring(0, 1)) + one.substring(1);
    }
    return segment.substring(0, at) + (random.nextBoolean() ? one.toLowerCase() : one) + segment.substring(at + 1);
  }

  /** One character replaced by a look-alike that folds back to it: fullwidth, dotless i, Kelvin sign, ... */
  private String lookAlike(String segment) {
    int at = random.nextInt(segment.length());
    char c = segment.charAt(at);
    String choices = LOOK_ALIKES.getOrDefault(Character.toLowerCase(c), "");
    if (c > ' ' && c < 0x7f) {
      choices += (char) (c - 0x21 + 0xff01);
    }
    if (choices.isEmpty()) {
      return segment;
    }
    return segment.substring(0, at) + choices.charAt(random.nextInt(choices.length())) + segment.substring(at + 1);
  }

  /** Every character as percent-escapes of its UTF-8 bytes. */
  static String percentEncoded(String segment) {
    StringBuilder out = new StringBuilder();
    for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
      out.append('%').append(String.format("%02X", b & 0xff));
    }
    return out.toString();
  }

  /** The characters outside ASCII as percent-escapes of their UTF-8 bytes, the rest as is. */
  private static String utf8PercentEncoded(String segment) {
    StringBuilder out = new StringBuilder();
    segment.codePoints().forEach(cp -> out.append(cp < 0x80 ? String.valueOf((char) cp)
        : percentEncoded(new String(Character.toChars(cp)))));
    return out.toString();
  }

  private String pick(String[] choices) {
    return choices[random.nextInt(choices.length)];
  }
}
