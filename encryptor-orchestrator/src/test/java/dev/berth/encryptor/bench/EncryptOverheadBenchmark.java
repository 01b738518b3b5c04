package dev.berth.encryptor.bench;

import dev.berth.encryptor.EncryptSpec;
import dev.berth.encryptor.Encryptor;
import dev.berth.encryptor.InstanceSettings;
import dev.berth.encryptor.Session;
import dev.berth.encryptor.Strategy;
import dev.berth.runtime.BerthRuntime;
import dev.berth.testing.Ec2Emulator;
import dev.berth.testing.EncryptorStatusEmulator;
import dev.berth.testing.EncryptorStatusEmulator.Status;
import io.netty.channel.nio.NioEventLoopGroup;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;

/**
 * The orchestration's own overhead per {@code encrypt}: wall time minus the emulated AWS durations
 * on the run's critical path (copies take COPY seconds, instances start, stop and terminate in
 * STATE seconds), for each path, with the waiters polling every 50 ms so that polling granularity
 * stays out of the figure. Also prints every EC2 action the run called and how often.
 *
 * <p>Run by {@code bench/encryptor-overhead.sh}. Prints a Markdown table. Not a test: timings vary
 * with the machine; the call counts do not.
 */
@SuppressWarnings("deprecation") // NioEventLoopGroup: the only portable group the SDK accepts.
public final class EncryptOverheadBenchmark {

  private static final String KEY = "arn:aws:kms:us-west-2:123456789012:key/11111111-2222-3333-4444-555555555555";
  private static final Duration POLL = Duration.ofMillis(50);

  private EncryptOverheadBenchmark() {}

  public static void main(String[] args) throws Exception {
    Duration copy = Duration.ofSeconds(args.length > 0 ? Long.parseLong(args[0]) : 3);
    Duration state = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 1);
    int reps = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    NioEventLoopGroup loop = new NioEventLoopGroup(1);
    System.out.println("| path | emulated AWS time on the critical path | wall time (median of " + reps
        + ") | overhead | EC2 calls |");
    System.out.println("|---|---|---|---|---|");
    try {
      // critical paths: copy = image; billing = running + stopped + image + terminated;
      // instance = guest running + stopped + snapshot + encryptor running + target snapshot + terminated
      row("native, CopyImage", "ami-12345678", Strategy.NATIVE, copy, state, copy, reps, loop);
      row("native, billing product codes", "ami-0aaaaaaaaaaaaaaaa", Strategy.NATIVE, copy, state,
          state.multipliedBy(3).plus(copy), reps, loop);
      row("instance", "ami-12345678", Strategy.INSTANCE, copy, state,
          state.multipliedBy(4).plus(copy.multipliedBy(2)), reps, loop);
    } finally {
      loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  private static void row(String path, String image, Strategy strategy, Duration copy, Duration state,
      Duration critical, int reps, NioEventLoopGroup loop) throws Exception {
    List<Long> walls = new ArrayList<>();
    Map<String, Integer> calls = Map.of();
    for (int i = 0; i < reps; i++) {
      try (Ec2Emulator ec2 = Ec2Emulator.builder().copyDuration(copy).pendingDuration(state).shuttingDownDuration(state)
              .loopbackAddresses()
              .image(new Ec2Emulator.Image("ami-0aaaaaaaaaaaaaaaa", "vendor", "679593333241", false, List.of("bp1")))
              .image(new Ec2Emulator.Image("ami-0eeeeeeeeeeeeeeee", "encryptor", "123456789012", false))
              .start();
          EncryptorStatusEmulator status = EncryptorStatusEmulator.builder().host("127.0.1.5").start();
          BerthRuntime runtime = BerthRuntime.builder().loopResources(useNative -> loop).region("us-west-2")
              .ec2Endpoint(ec2.endpoint()).ec2MaxAttempts(3).build()) {
        Ec2AsyncClient client = runtime.ec2();
        status.script(Status.of("finished", 8, 8));
        Encryptor encryptor = Encryptor.builder(runtime).stateDirectory(Files.createTempDirectory("bench"))
            .pollInterval(POLL).build();
        EncryptSpec.Builder spec = EncryptSpec.builder(image).kmsKeyId(KEY).strategy(strategy);
        if (strategy == Strategy.INSTANCE) {
          spec.subnetId("subnet-0a1b2c3d4e5f60718").instance(InstanceSettings.builder()
              .encryptorImageId("ami-0eeeeeeeeeeeeeeee").statusPort(status.port()).build());
        }
        long start = System.nanoTime();
        encryptor.encrypt(spec.build(), Session.create()).block(Duration.ofMinutes(5));
        walls.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        calls = ec2.calls();
      }
    }
    Collections.sort(walls);
    long wall = walls.get(walls.size() / 2);
    System.out.printf("| %s | %d ms | %d ms | %d ms | %s |%n", path, critical.toMillis(), wall,
        wall - critical.toMillis(), calls);
  }
}
