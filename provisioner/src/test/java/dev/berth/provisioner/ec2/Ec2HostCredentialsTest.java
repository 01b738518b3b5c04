package dev.berth.provisioner.ec2;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.runtime.BerthRuntime;
import dev.berth.testing.Ec2Emulator;
import dev.berth.testing.LoopbackHostImds;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;

/**
 * The provisioner's own credentials as on an EC2 host: no static keys for this client, the host's
 * instance profile served by the metadata emulator on loopback (see {@link LoopbackHostImds} for
 * why nothing can reach the real address), BlockHound on. EC2 calls start on the event loop, as the
 * controller's later calls do (in the continuations of earlier ones); the host's credentials must
 * still be resolved off it.
 */
@SuppressWarnings("deprecation") // NioEventLoopGroup: the only portable group the SDK accepts.
final class Ec2HostCredentialsTest {

  @Test
  void ec2Calls_fromTheLoop_hostCredentialsFromImdsResolvedOffTheLoop() {
    new java.net.Socket().getClass(); // the JDK reads net.properties at the first socket: not the code under test
    NioEventLoopGroup loop = new NioEventLoopGroup(1);
    try (LoopbackHostImds imds = LoopbackHostImds.start();
         Ec2Emulator ec2 = Ec2Emulator.start();
         Ec2AsyncClient client = BerthRuntime.builder().loopResources(useNative -> loop).region("us-west-2").ec2Endpoint(ec2.endpoint()).ec2MaxAttempts(1).hostCredentials(imds.instanceProfile()).build().ec2()) {
      InstancePlugin plugin = InstancePlugin.ec2(client);
      for (int call = 0; call < 2; call++) {
        assertThat(plugin.describe("group-a", false).subscribeOn(Schedulers.fromExecutor(loop))
            .block(Duration.ofSeconds(20))).isEmpty();
      }
      assertThat(ec2.calls("DescribeInstances")).isEqualTo(2);
      assertThat(imds.credentialRequests()).isPositive();
      assertThat(imds.resolvedOn()).isNotEmpty().noneMatch(FastThreadLocalThread.class::isInstance);
    } finally {
      loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }
}
