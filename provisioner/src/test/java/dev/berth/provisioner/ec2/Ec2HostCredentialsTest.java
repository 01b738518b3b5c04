package dev.berth.provisioner.ec2;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.Ec2Emulator;
import dev.berth.testing.LoopbackHostImds;
import dev.berth.testing.MetadataEmulator;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.InstanceProfileCredentialsProvider;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;

/**
 * The provisioner's own credentials as on an EC2 host: no static keys for this client, the host's
 * instance profile served by the metadata emulator on loopback (see {@link LoopbackHostImds} for
 * why nothing can reach the real address), BlockHound on. EC2 calls start on the event loop, as the
 * controller's later calls do (they run in the continuations of earlier ones); the host's
 * credentials must still be resolved off it.
 */
@SuppressWarnings("deprecation") // NioEventLoopGroup: the only portable group the SDK accepts.
final class Ec2HostCredentialsTest {

  private final List<Thread> resolvedOn = new CopyOnWriteArrayList<>();
  private NioEventLoopGroup loop;
  private LoopbackHostImds imds;
  private Ec2Emulator ec2;
  private InstanceProfileCredentialsProvider instanceProfile;

  @BeforeEach
  void start() {
    // The JDK reads net.properties the first time any socket is made; not the code under test.
    new java.net.Socket().getClass();
    loop = new NioEventLoopGroup(1);
    imds = LoopbackHostImds.start();
    ec2 = Ec2Emulator.start();
    instanceProfile = InstanceProfileCredentialsProvider.builder().endpoint(imds.endpoint().toString()).build();
  }

  @AfterEach
  void stop() {
    instanceProfile.close();
    ec2.close();
    imds.close();
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** The host's instance profile, noting each thread that resolves it. */
  private AwsCredentialsProvider hostCredentials() {
    return () -> {
      resolvedOn.add(Thread.currentThread());
      return instanceProfile.resolveCredentials();
    };
  }

  @Test
  void ec2Calls_fromTheLoop_hostCredentialsFromImdsResolvedOffTheLoop() {
    try (Ec2AsyncClient client = Ec2Clients.create(loop, "us-west-2", ec2.endpoint(), 1, hostCredentials())) {
      InstancePlugin plugin = InstancePlugin.ec2(client);
      for (int call = 0; call < 2; call++) {
        assertThat(plugin.describe("group-a", false).subscribeOn(Schedulers.fromExecutor(loop))
            .block(Duration.ofSeconds(20))).isEmpty();
      }
    }
    assertThat(imds.emulator().requests("/latest/meta-data/iam/security-credentials/"
        + MetadataEmulator.HOST_ROLE_NAME)).isPositive();
    assertThat(resolvedOn).isNotEmpty().noneMatch(FastThreadLocalThread.class::isInstance);
  }
}
