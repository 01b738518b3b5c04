package dev.berth.proxy.sts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.proxy.credentials.Credentials;
import dev.berth.proxy.policy.RoleBinding;
import dev.berth.testing.LoopbackHostImds;
import dev.berth.testing.StsEmulator;
import dev.berth.runtime.BerthRuntime;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;

/**
 * The daemon's own credentials as on an EC2 host: no static keys for this client, the host's
 * instance profile served by the metadata emulator on loopback (see {@link LoopbackHostImds} for
 * why nothing can reach the real address), BlockHound on. The STS call starts on the event loop, as
 * it does when a container's request arrives; the host's credentials must still be resolved off it.
 */
final class StsHostCredentialsTest {

  private static final RoleBinding BINDING =
      new RoleBinding("arn:aws:iam::" + StsEmulator.DEFAULT_ACCOUNT_ID + ":role/app", "web", null, "c1");

  @Test
  void assumeRole_fromTheLoop_hostCredentialsFromImdsResolvedOffTheLoop() {
    new java.net.Socket().getClass(); // the JDK reads net.properties at the first socket: not the code under test
    try (LoopbackHostImds imds = LoopbackHostImds.start();
         StsEmulator sts = StsEmulator.start();
         BerthRuntime runtime = BerthRuntime.builder().region("us-east-1").stsEndpoint(sts.endpoint())
             .hostCredentials(imds.instanceProfile()).build()) {
      StsRoleAssumer assumer = new StsRoleAssumer(runtime.sts(), Duration.ofHours(1), Clock.systemUTC());
      for (int call = 0; call < 2; call++) {
        Credentials credentials = assumer.fetch(BINDING).subscribeOn(Schedulers.fromExecutor(runtime.eventLoop()))
            .block(Duration.ofSeconds(20));
        assertThat(sts.issued(credentials.accessKeyId())).isPresent();
      }
      assertThat(sts.assumeRoleCalls(BINDING.roleArn())).isEqualTo(2);
      assertThat(imds.credentialRequests()).isPositive();
      assertThat(imds.resolvedOn()).isNotEmpty().noneMatch(FastThreadLocalThread.class::isInstance);
    }
  }
}
