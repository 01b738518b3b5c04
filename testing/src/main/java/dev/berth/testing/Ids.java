package dev.berth.testing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Identifiers in the shapes AWS uses.
 *
 * <p>Design notes: randomness comes from {@link ThreadLocalRandom}, never {@code SecureRandom}
 * or {@code UUID.randomUUID()}, because those may read {@code /dev/urandom} and BlockHound
 * rightly fails a read on the event loop. Nothing here needs to be unguessable.
 */
final class Ids {

  private static final char[] ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".toCharArray();
  private static final char[] BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();

  private Ids() {}

  /** A request id in the UUID shape AWS answers with. */
  static String requestId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high = (random.nextLong() & ~0xF000L) | 0x4000L;
    long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new java.util.UUID(high, low).toString();
  }

  /** {@code length} random characters from {@code A-Z0-9}. */
  static String randomAlnum(int length) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    char[] out = new char[length];
    for (int i = 0; i < length; i++) {
      out[i] = ALNUM[random.nextInt(ALNUM.length)];
    }
    return new String(out);
  }

  /** {@code length} random lower-case hex digits, e.g. 64 for a Docker object id. */
  static String randomHex(int length) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    char[] out = new char[length];
    for (int i = 0; i < length; i++) {
      out[i] = Character.forDigit(random.nextInt(16), 16);
    }
    return new String(out);
  }

  /** The SHA-256 of {@code text} in lower-case hex: a stable 64-digit id, e.g. for an image. */
  static String hexDigest(String text) {
    StringBuilder out = new StringBuilder(64);
    for (byte b : sha256(text)) {
      out.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
    }
    return out.toString();
  }

  /** {@code bytes} random bytes, base64-encoded with padding. */
  static String randomBase64(int bytes) {
    byte[] raw = new byte[bytes];
    ThreadLocalRandom.current().nextBytes(raw);
    return Base64.getEncoder().encodeToString(raw);
  }

  /** A stable {@code A-Z2-7} fingerprint of {@code text}, {@code length} characters long (at most 51). */
  static String fingerprint(String text, int length) {
    byte[] digest = sha256(text);
    char[] out = new char[length];
    long bits = 0;
    int available = 0;
    int index = 0;
    for (int i = 0; i < length; i++) {
      if (available < 5) {
        bits = (bits << 8) | (digest[index++] & 0xFF);
        available += 8;
      }
      available -= 5;
      out[i] = BASE32[(int) ((bits >> available) & 0x1F)];
    }
    return new String(out);
  }

  /** {@code value} in base 36, upper case, left-padded with zeros to {@code width}. */
  static String base36(long value, int width) {
    String digits = Long.toString(value, 36).toUpperCase(java.util.Locale.ROOT);
    if (digits.length() > width) {
      throw new IllegalStateException("serial " + value + " does not fit in " + width + " characters");
    }
    return "0".repeat(width - digits.length()) + digits;
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
