package dev.berth.proxy.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import dev.berth.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

final class TokenIssuerTest {

  private final ManualClock clock = ManualClock.at(Instant.parse("2026-11-26T06:00:00Z"));
  private final TokenIssuer issuer = new TokenIssuer(new byte[32], clock);

  private static InetAddress ip(String literal) throws Exception {
    return InetAddress.getByName(literal);
  }

  @Test
  void issue_validForCallerUntilTtl() throws Exception {
    String token = issuer.issue(ip("198.18.0.5"), 60);
    assertThat(issuer.isValid(token, ip("198.18.0.5"))).isTrue();
    clock.advance(Duration.ofSeconds(59));
    assertThat(issuer.isValid(token, ip("198.18.0.5"))).isTrue();
    clock.advance(Duration.ofSeconds(1));
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
