package dev.berth.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.MetadataEmulator;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Deny by default for pass-through, as a property over generated spellings: however a path to the
 * host's credentials or the token endpoint is spelled — any case in any segment (the version's too),
 * percent-encoded once or more, {@code ;} parameters, backslashes, encoded separators, dot segments,
 * Unicode look-alikes, a missing or unknown version — the metadata service behind the proxy never
 * sees the request and the answer never carries the host's credentials; canonical ordinary paths,
 * spelled in the harmless ways clients do, are forwarded once, in canonical form.
 *
 * <p>The spellings come from a fixed seed, so a failure repeats; {@code -Dberth.spellings.seed=N}
 * explores others.
 */
final class PassThroughSpellingsTest {

  private static final long SEED = Long.getLong("berth.spellings.seed", 20261202L);

  /** The paths below the version that reach the host's own credentials, or its token endpoint. */
  private static final List<List<String>> FORBIDDEN = List.of(
      List.of("meta-data", "iam", ""),
      List.of("meta-data", "iam", "info"),
      List.of("meta-data", "iam", "security-credentials", ""),
      List.of("meta-data", "iam", "security-credentials", MetadataEmulator.HOST_ROLE_NAME),
      List.of("meta-data", "iam", "security-credentials-extended", MetadataEmulator.HOST_ROLE_NAME),
      List.of("meta-data", "identity-credentials", "ec2", "security-credentials", "ec2-instance"),
      List.of("api", "token"));

  /** Paths the emulator serves with 200. */
  private static final List<String> ORDINARY = List.of(
      "/latest/meta-data/placement/region",
      "/latest/meta-data/placement/availability-zone",
      "/latest/meta-data/instance-id",
      "/latest/meta-data/",
      "/latest/meta-data/services/domain",
      "/latest/dynamic/instance-identity/document",
      "/latest/user-data");

  private static ProxyHarness harness;

  @BeforeAll
  static void start() {
    harness = ProxyHarness.start();
    harness.container(10, "web", Map.of(), Map.of("IAM_ROLE", "web-role"));
  }

  @AfterAll
  static void stop() {
    harness.close();
  }

  static Stream<String> forbiddenSpellings() {
    Spellings spellings = new Spellings(SEED);
    return IntStream.range(0, 500).mapToObj(i -> spellings.forbidden(FORBIDDEN.get(i % FORBIDDEN.size())));
  }

  static Stream<Arguments> ordinarySpellings() {
    Spellings spellings = new Spellings(SEED);
    return IntStream.range(0, 140).mapToObj(i -> ORDINARY.get(i % ORDINARY.size()))
        .map(canonical -> Arguments.of(spellings.harmless(canonical), canonical));
  }

  /** Requests the proxy forwarded: the emulator's GETs (the proxy's own token PUTs are not a caller's). */
  private static long forwarded() {
    return harness.upstream.recordedRequests().stream().filter(r -> r.method().equals("GET")).count();
  }

  private static String get(String target) throws IOException {
    return RawHttp.get(ProxyHarness.loopback(10), harness.proxy.address(), target);
  }

  @ParameterizedTest
  @MethodSource("forbiddenSpellings")
  void forbiddenSpelling_neverForwarded(String target) throws IOException {
    long before = forwarded();
    String answer = get(target);
    assertThat(forwarded()).as("requests forwarded after GET %s", target).isEqualTo(before);
    assertThat(answer).as(target).doesNotContain(MetadataEmulator.HOST_MARKER);
  }

  @ParameterizedTest
  @MethodSource("ordinarySpellings")
  void ordinaryPath_forwardedOnceInCanonicalForm(String target, String canonical) throws IOException {
    long before = forwarded();
    assertThat(get(target)).as(target).startsWith("HTTP/1.1 200");
    assertThat(forwarded()).as(target).isEqualTo(before + 1);
    assertThat(harness.upstream.lastRequest().orElseThrow().uri()).isEqualTo(canonical);
  }
}
