package dev.berth.encryptor;

import static dev.berth.encryptor.EncryptorHarness.PLAIN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.runtime.BerthRuntime;
import dev.berth.testing.Await;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.services.ec2.model.ResourceType;

/**
 * A process's first EC2 call starts on the loop before the host's credentials are resolved, as
 * {@code berth-encryptor cleanup} after a {@code kill -9} does. On EC2 resolving them is an HTTP
 * call to the instance's metadata service; here a chain that answers only when the test lets it.
 * The call waits for them without holding the loop (the SDK would park the loop's thread in its
 * user-agent stage, which BlockHound turns into a failed call), so cleanup still finds by its tag
 * what the journal never heard of.
 */
final class FirstCallTest {

  private final EncryptorHarness harness = EncryptorHarness.start();
  private final CountDownLatch answer = new CountDownLatch(1);
  private final AtomicBoolean asked = new AtomicBoolean();
  private final AwsCredentialsProvider slowChain = () -> {
    asked.set(true);
    try {
      answer.await(); // on the resolver's thread (boundedElastic), which may block
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return AwsBasicCredentials.create("AKIDBERTHTEST0000000", "berth-test-secret");
  };
  private final BerthRuntime fresh = BerthRuntime.builder().loopResources(useNative -> EncryptorHarness.loop())
      .region("us-west-2").ec2Endpoint(harness.ec2.endpoint()).ec2MaxAttempts(1).hostCredentials(slowChain).build();
  private final Encryptor encryptor = Encryptor.builder(fresh).stateDirectory(harness.stateDir)
      .pollInterval(EncryptorHarness.POLL).cleanupRetryDelay(Duration.ofMillis(10)).build();

  @AfterEach
  void close() {
    answer.countDown();
    fresh.close();
    harness.close();
  }

  @Test
  void cleanup_asTheFirstCall_waitsForCredentialsOffTheLoop_andFindsByTagWhatNoJournalRecorded() throws Exception {
    Session session = Session.create();
    String instance = harness.client.runInstances(r -> r.imageId(PLAIN).instanceType("t3.micro").minCount(1).maxCount(1)
            .tagSpecifications(SessionTags.specifications(SessionTags.of(session.id(), Map.of()), ResourceType.INSTANCE)))
        .join().instances().get(0).instanceId();

    CompletableFuture<CleanupReport> report = encryptor.cleanup(session.id()).toFuture();
    Await.until("the credentials to be asked for", asked::get);
    // The loop is single-threaded: this runs after the task that asked for them, and runs at all
    // only if that task let go of the loop.
    EncryptorHarness.loop().submit(() -> { }).get(30, TimeUnit.SECONDS);
    answer.countDown();

    assertThat(report.get(30, TimeUnit.SECONDS).deleted()).contains(instance);
    assertThat(harness.leftovers()).isEmpty();
  }
}
