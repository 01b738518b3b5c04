package dev.berth.testing;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * {@code NextToken}s: opaque to clients, they name the last resource of the page by its launch
 * serial, so a page boundary holds still while resources come and go between calls.
 */
final class Ec2Pages {

  private static final String PREFIX = "berth-page:";

  private Ec2Pages() {}

  static String token(long lastSerial) {
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString((PREFIX + lastSerial).getBytes(StandardCharsets.UTF_8));
  }

  /** The serial a page starts after: 0 for the first page. */
  static long after(String token) {
    if (token == null || token.isEmpty()) {
      return 0;
    }
    try {
      String decoded = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      if (decoded.startsWith(PREFIX)) {
        return Long.parseLong(decoded.substring(PREFIX.length()));
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    throw new QueryFailure(Ec2Errors.invalidParameterValue("The specified NextToken is not valid: " + token));
  }
}
