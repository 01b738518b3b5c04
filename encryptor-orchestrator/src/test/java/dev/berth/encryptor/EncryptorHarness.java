package dev.berth.encryptor;

import dev.berth.runtime.BerthRuntime;
import dev.berth.testing.Ec2Emulator;
import io.netty.channel.nio.NioEventLoopGroup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;

/**
 * An EC2 emulator on the system clock with short state times, a real {@code Ec2AsyncClient} on a
 * Netty loop as production builds it ({@link BerthRuntime}, one attempt per call so every injected
 * fault reaches the code under test), and an {@link Encryptor} over both with a temporary state
 * directory. Snapshots and images take 200 ms, instances 100 ms; the waiters poll every 20 ms.
 */
@SuppressWarnings("deprecation") // NioEventLoopGroup: the only portable group the SDK accepts.
public final class EncryptorHarness implements AutoCloseable {

  /** An image of this account without product codes. */
  public static final String PLAIN = "ami-12345678";
  /** A marketplace image: CopyImage refuses it. */
  public static final String MARKETPLACE = "ami-0aaaaaaaaaaaaaaaa";
  /** An encryptor image, for strategy instance. */
  public static final String ENCRYPTOR = "ami-0eeeeeeeeeeeeeeee";
  /** A key the tests encrypt under. */
  public static final String KEY = "arn:aws:kms:us-west-2:123456789012:key/11111111-2222-3333-4444-555555555555";
  /** Waiter polling in tests. */
  public static final Duration POLL = Duration.ofMillis(20);

  private static NioEventLoopGroup loop;

  public final Ec2Emulator ec2;
  public final Ec2AsyncClient client;
  public final Path stateDir;
  public final Encryptor encryptor;
  /** The loop and the client, as the daemon shares them. */
  public final BerthRuntime runtime;

  private EncryptorHarness(Duration copying) {
    ec2 = Ec2Emulator.builder()
        .pendingDuration(Duration.ofMillis(100))
        .shuttingDownDuration(Duration.ofMillis(100))
        .copyDuration(copying)
        .loopbackAddresses()
        .image(new Ec2Emulator.Image(MARKETPLACE, "vendor-appliance-1.0", "679593333241", false,
            List.of("8fm6ktd8ptfgd2cn7gkeg4ezv")))
        .image(new Ec2Emulator.Image(ENCRYPTOR, "brkt-avatar-hvm-20170214", "123456789012", false))
        .start();
    runtime = BerthRuntime.builder().loopResources(useNative -> loop()).region("us-west-2").ec2Endpoint(ec2.endpoint())
        .ec2MaxAttempts(1).build();
    client = runtime.ec2();
    try {
      stateDir = Files.createTempDirectory("berth-encryptor-test");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    encryptor = Encryptor.builder(runtime).stateDirectory(stateDir).pollInterval(POLL)
        .cleanupRetryDelay(Duration.ofMillis(10)).build();
  }

  /** A harness whose copies complete after 200 ms. */
  public static EncryptorHarness start() {
    return new EncryptorHarness(Duration.ofMillis(200));
  }

  /** A harness whose copies take {@code copying}. */
  public static EncryptorHarness withCopyDuration(Duration copying) {
    return new EncryptorHarness(copying);
  }

  static synchronized NioEventLoopGroup loop() {
    if (loop == null) {
      // The JDK reads net.properties the first time any socket is made; do it here, not on the loop.
      try (java.net.Socket warmUp = new java.net.Socket()) {
        warmUp.getClass();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      loop = new NioEventLoopGroup(1);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> loop.shutdownGracefully(0, 1, TimeUnit.SECONDS)));
    }
    return loop;
  }

  /** The actions called so far that change something: every call but Describe* and Get*. */
  public List<String> writeCalls() {
    return ec2.calls().keySet().stream().filter(a -> !a.startsWith("Describe") && !a.startsWith("Get")).toList();
  }

  /** Resources that exist and are not a verified result: what a clean run leaves empty. */
  public Map<String, Map<String, String>> leftovers() {
    return ec2.createdResources().entrySet().stream()
        .filter(e -> !e.getValue().containsKey(SessionTags.VERIFIED))
        .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
  }

  /** The journal of {@code session} as read back. */
  public JournalState journal(Session session) {
    return JournalState.read(Journal.file(stateDir, session.id()));
  }

  @Override
  public void close() {
    runtime.close();
    ec2.close();
  }
}
