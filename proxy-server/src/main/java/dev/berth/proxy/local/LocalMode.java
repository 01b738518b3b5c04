package dev.berth.proxy.local;

import dev.berth.proxy.credentials.CredentialSource;
import dev.berth.proxy.credentials.Credentials;
import dev.berth.proxy.docker.Container;
import dev.berth.proxy.docker.ContainerIndex;
import dev.berth.proxy.docker.StaticContainerIndex;
import dev.berth.proxy.http.Upstream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import reactor.core.publisher.Mono;

/**
 * The parts of {@code --local} mode: the proxy runs with no Docker engine and no AWS account.
 *
 * <ul>
 *   <li>Callers on loopback are one synthetic container, {@code berth-local}; nobody else gets
 *       credentials.
 *   <li>Credentials come from an embedded issuer: random keys in the real format, marked local
 *       ({@code ASIALOCAL…}, account {@code 000000000000}), valid for the session duration. AWS
 *       rejects them: they exist so that SDKs and tools can be pointed at Berth and seen to work.
 *   <li>Other metadata (region, instance id, identity document) comes from an embedded document.
 * </ul>
 */
public final class LocalMode {

  /** The account local credentials claim. */
  public static final String ACCOUNT = "000000000000";

  /** The role prefix local mode uses for short names. */
  public static final String BASE_ROLE_ARN = "arn:aws:iam::" + ACCOUNT + ":role/";

  /** The role loopback callers get when no default role is set. */
  public static final String ROLE = "berth-local";

  static final String INSTANCE_ID = "i-0000000000000b34f";
  private static final char[] UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();
  private static final char[] SECRET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".toCharArray();

  private LocalMode() {}

  /** Every loopback caller is the container {@code berth-local}. */
  public static ContainerIndex containers() {
    Container local = new Container("berth-local", "berth-local", "local", Map.of(), Map.of(), Set.of());
    return new StaticContainerIndex(InetAddress::isLoopbackAddress, local);
  }

  /** An issuer of local, random credentials valid for {@code duration}. */
  public static CredentialSource issuer(Duration duration, Clock clock) {
    SecureRandom random = seeded();
    return binding -> Mono.fromSupplier(() -> new Credentials(
        "ASIALOCAL" + randomChars(random, UPPER, 11),
        randomChars(random, SECRET, 40),
        "berth-local/" + binding.roleName() + "/" + randomChars(random, SECRET, 64),
        clock.instant().plus(duration),
        clock.instant(),
        ACCOUNT));
  }

  /** The embedded metadata document: region, instance id, identity document. */
  public static Upstream metadata(String region) {
    String document = "{\n"
        + "  \"accountId\" : \"" + ACCOUNT + "\",\n"
        + "  \"architecture\" : \"x86_64\",\n"
        + "  \"availabilityZone\" : \"" + region + "a\",\n"
        + "  \"imageId\" : \"ami-00000000000000000\",\n"
        + "  \"instanceId\" : \"" + INSTANCE_ID + "\",\n"
        + "  \"instanceType\" : \"local\",\n"
        + "  \"privateIp\" : \"127.0.0.1\",\n"
        + "  \"region\" : \"" + region + "\",\n"
        + "  \"version\" : \"2017-09-30\"\n"
        + "}";
    Map<String, String> paths = Map.of(
        "/latest/meta-data/", "ami-id\ninstance-id\ninstance-type\nlocal-ipv4\nplacement/\niam/",
        "/latest/meta-data/ami-id", "ami-00000000000000000",
        "/latest/meta-data/instance-id", INSTANCE_ID,
        "/latest/meta-data/instance-type", "local",
        "/latest/meta-data/local-ipv4", "127.0.0.1",
        "/latest/meta-data/placement/", "availability-zone\nregion",
        "/latest/meta-data/placement/region", region,
        "/latest/meta-data/placement/availability-zone", region + "a",
        "/latest/dynamic/instance-identity/document", document);
    return pathAndQuery -> {
      String path = pathAndQuery.contains("?") ? pathAndQuery.substring(0, pathAndQuery.indexOf('?')) : pathAndQuery;
      String body = paths.get(path);
      return Mono.just(body == null
          ? new Upstream.Answer(404, "text/plain", "Not Found".getBytes(StandardCharsets.UTF_8))
          : new Upstream.Answer(200, "text/plain", body.getBytes(StandardCharsets.UTF_8)));
    };
  }

  /**
   * A DRBG seeded now, on the caller's thread: later draws are pure computation, where the default
   * NativePRNG would read /dev/urandom on the event loop.
   */
  private static SecureRandom seeded() {
    try {
      SecureRandom random = SecureRandom.getInstance("DRBG");
      random.nextInt();
      return random;
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("no DRBG SecureRandom in this JVM", e);
    }
  }

  private static String randomChars(SecureRandom random, char[] alphabet, int count) {
    char[] out = new char[count];
    for (int i = 0; i < count; i++) {
      out[i] = alphabet[random.nextInt(alphabet.length)];
    }
    return new String(out);
  }
}
