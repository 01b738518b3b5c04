package dev.berth.proxy.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

final class TokenIssuerTest {

  private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-26T06:00:00Z"));
  private final Clock clock = new Clock() {
    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now.get();
    }
  };
  private final TokenIssuer issuer = new TokenIssuer(new byte[32], clock);

  private static InetAddress ip(String literal) throws Exception {
    return InetAddress.getByName(literal);
  }

  @Test
  void issue_validForCallerUntilTtl() throws Exception {
    String token = issuer.issue(ip("198.18.0.5"), 60);
    assertThat(issuer.isValid(token, ip("198.18.0.5"))).isTrue();
    now.set(now.get().plus(Duration.ofSeconds(59)));
    assertThat(issuer.isValid(token, ip("198.18.0.5"))).isTrue();
    now.set(now.get().plus(Duration.ofSeconds(1)));
    assertThat(issuer.isValid(token, ip("198.18.0.5"))).isFalse();
  }

  @Test
  void isValid_otherCaller_false() throws Exception {
    String token = issuer.issue(ip("198.18.0.5"), 60);
    assertThat(issuer.isValid(token, ip("198.18.0.6"))).isFalse();
  }

  @Test
  void isValid_otherKey_false() throws Exception {
    String token = issuer.issue(ip("198.18.0.5"), 60);
    TokenIssuer other = TokenIssuer.withRandomKey(clock);
    assertThat(other.isValid(token, ip("198.18.0.5"))).isFalse();
  }

  @Test
  void isValid_tamperedOrGarbage_false() throws Exception {
    String token = issuer.issue(ip("198.18.0.5"), 60);
    char flipped = token.charAt(3) == 'A' ? 'B' : 'A';
    String tampered = token.substring(0, 3) + flipped + token.substring(4);
    assertThat(issuer.isValid(tampered, ip("198.18.0.5"))).isFalse();
    assertThat(issuer.isValid("", ip("198.18.0.5"))).isFalse();
    assertThat(issuer.isValid("not base64 !!", ip("198.18.0.5"))).isFalse();
    assertThat(issuer.isValid("x".repeat(10_000), ip("198.18.0.5"))).isFalse();
    assertThat(issuer.isValid(null, ip("198.18.0.5"))).isFalse();
  }

  @Test
  void issue_ttlOutOfRange_rejected() {
    assertThatThrownBy(() -> issuer.issue(InetAddress.getLoopbackAddress(), 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> issuer.issue(InetAddress.getLoopbackAddress(), 21_601))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
