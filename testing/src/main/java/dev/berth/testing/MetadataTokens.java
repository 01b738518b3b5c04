package dev.berth.testing;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** IMDSv2 session tokens: issued for a TTL, valid until the clock passes it. */
final class MetadataTokens {

  private final Clock clock;
  private final ConcurrentMap<String, Instant> expiries = new ConcurrentHashMap<>();

  MetadataTokens(Clock clock) {
    this.clock = clock;
  }

  String issue(int ttlSeconds) {
    // 56 base64 characters, about the length of a real token.
    String token = Ids.randomBase64(42);
    expiries.put(token, clock.instant().plusSeconds(ttlSeconds));
    return token;
  }

  boolean valid(String token) {
    Instant expiry = expiries.get(token);
    if (expiry == null) {
      return false;
    }
    if (!clock.instant().isBefore(expiry)) {
      expiries.remove(token, expiry);
      return false;
    }
    return true;
  }
}
