package dev.berth.provisioner;

import dev.berth.runtime.BerthRuntime;
import dev.berth.provisioner.ec2.InstancePlugin;
import dev.berth.testing.Ec2Emulator;
import dev.berth.testing.ManualClock;
import io.netty.channel.nio.NioEventLoopGroup;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;

/**
 * An EC2 emulator on a {@link ManualClock} and a real {@code Ec2AsyncClient} on a Netty loop, as
 * production builds it ({@link BerthRuntime}), for the provisioner's tests. Instances stay pending
 * for 30 s and shut down for 60 s of the manual clock.
 */
@SuppressWarnings("deprecation") // NioEventLoopGroup: the only portable group the SDK accepts.
public final class Ec2Harness implements AutoCloseable {

  /** The pending time of the emulator. */
  public static final Duration PENDING = Duration.ofSeconds(30);
  /** The shutting-down time of the emulator. */
  public static final Duration SHUTTING_DOWN = Duration.ofSeconds(60);

  private static NioEventLoopGroup loop;

  public final ManualClock clock = ManualClock.at(Instant.parse("2026-03-01T12:00:00Z"));
  public final Ec2Emulator ec2;
  public final Ec2AsyncClient client;

  private Ec2Harness(int maxAttempts) {
    ec2 = Ec2Emulator.builder().clock(clock).pendingDuration(PENDING).shuttingDownDuration(SHUTTING_DOWN).start();
    client = BerthRuntime.builder().loopResources(useNative -> loop()).region("us-west-2").ec2Endpoint(ec2.endpoint()).ec2MaxAttempts(maxAttempts).build().ec2();
  }

  /** A harness whose client makes one attempt per call, so every fault reaches the code under test. */
  public static Ec2Harness start() {
    return new Ec2Harness(1);
  }

  /** A harness whose client retries as the SDK's standard mode does. */
  public static Ec2Harness withRetries(int maxAttempts) {
    return new Ec2Harness(maxAttempts);
  }

  private static synchronized NioEventLoopGroup loop() {
    if (loop == null) {
      // The JDK reads net.properties the first time any socket is made (SocketImpl.<clinit>).
      // Do that here, once, rather than on the event loop, where BlockHound rightly objects.
      try (java.net.Socket warmUp = new java.net.Socket()) {
        warmUp.getClass();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      loop = new NioEventLoopGroup(2);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> loop.shutdownGracefully(0, 1, TimeUnit.SECONDS)));
    }
    return loop;
  }

  public InstancePlugin plugin() {
    return InstancePlugin.ec2(client);
  }

  /** Moves the clock past the pending time: every launched instance is running. */
  public void allRunning() {
    clock.advance(PENDING);
  }

  /** Moves the clock past the shutting-down time: every terminated instance is gone. */
  public void allTerminated() {
    clock.advance(SHUTTING_DOWN);
  }

  /** Waits, up to a bound, for a condition that another thread makes true; never asserts on timing. */
  public static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("gave up waiting for " + what);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what);
      }
    }
  }

  @Override
  public void close() {
    client.close();
    ec2.close();
  }
}
