package dev.berth.proxy.token;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * IMDSv2 session tokens: issued by the proxy, signed with a key that lives only in this process,
 * bound to the caller's address and valid for the TTL the caller asked for.
 *
 * <p>A token is {@code base64url(expiry seconds ‖ HMAC-SHA256(key, expiry ‖ address))}. Nothing is
 * stored per token, so a flood of token requests costs no memory, and a token stolen by another
 * container is worthless there.
 */
public final class TokenIssuer {

  /** The shortest TTL the metadata service accepts, in seconds. */
  public static final int MIN_TTL_SECONDS = 1;

  /** The longest TTL the metadata service accepts: six hours. */
  public static final int MAX_TTL_SECONDS = 21_600;

  private static final String HMAC = "HmacSHA256";
  private static final int MAC_BYTES = 32;
  private static final int TOKEN_BYTES = Long.BYTES + MAC_BYTES;
  private static final int MAX_TOKEN_CHARS = 64;

  private final SecretKeySpec key;
  private final Clock clock;
  private final ThreadLocal<Mac> macs;

  /** An issuer with a fresh random key: tokens die with the process, as the real service's do on reboot. */
  public static TokenIssuer withRandomKey(Clock clock) {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return new TokenIssuer(key, clock);
  }

  TokenIssuer(byte[] key, Clock clock) {
    this.key = new SecretKeySpec(key.clone(), HMAC);
    this.clock = Objects.requireNonNull(clock, "clock");
    this.macs = ThreadLocal.withInitial(this::newMac);
  }

  /** A token for {@code caller}, valid for {@code ttlSeconds} (1 to 21600). */
  public String issue(InetAddress caller, int ttlSeconds) {
    if (ttlSeconds < MIN_TTL_SECONDS || ttlSeconds > MAX_TTL_SECONDS) {
      throw new IllegalArgumentException("TTL " + ttlSeconds + " is outside 1..21600 seconds");
    }
    long expiry = clock.instant().getEpochSecond() + ttlSeconds;
    ByteBuffer token = ByteBuffer.allocate(TOKEN_BYTES).putLong(expiry).put(mac(expiry, caller));
    return Base64.getUrlEncoder().withoutPadding().encodeToString(token.array());
  }

  /** Whether {@code token} was issued by this issuer to {@code caller} and has not expired. */
  public boolean isValid(String token, InetAddress caller) {
    if (token == null || token.isEmpty() || token.length() > MAX_TOKEN_CHARS) {
      return false;
    }
    byte[] raw;
    try {
      raw = Base64.getUrlDecoder().decode(token);
    } catch (IllegalArgumentException notBase64) {
      return false;
    }
    if (raw.length != TOKEN_BYTES) {
      return false;
    }
    ByteBuffer buffer = ByteBuffer.wrap(raw);
    long expiry = buffer.getLong();
    byte[] presented = new byte[MAC_BYTES];
    buffer.get(presented);
    return MessageDigest.isEqual(presented, mac(expiry, caller))
        && clock.instant().getEpochSecond() < expiry;
  }

  private byte[] mac(long expiry, InetAddress caller) {
    Mac mac = macs.get();
    mac.update(ByteBuffer.allocate(Long.BYTES).putLong(expiry).array());
    mac.update(caller.getAddress());
    return mac.doFinal();
  }

  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(key);
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is not available in this JVM", e);
    }
  }
}
