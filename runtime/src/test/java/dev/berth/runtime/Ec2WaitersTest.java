package dev.berth.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.Await;
import dev.berth.testing.Ec2Emulator;
import java.time.Duration;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import software.amazon.awssdk.core.waiters.WaiterResponse;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesResponse;
import software.amazon.awssdk.services.ec2.waiters.Ec2AsyncWaiter;

/** A wait polls EC2 until its Mono is cancelled, and not once after: an instance that stays pending, a hand-run loop. */
final class Ec2WaitersTest {

  /** Holds the attempts a waiter schedules until the test runs them; nothing fires by itself. */
  private static final class HandRunLoop extends ScheduledThreadPoolExecutor {
    final Deque<RunnableScheduledFuture<?>> scheduled = new ConcurrentLinkedDeque<>();

    HandRunLoop() {
      super(1);
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
      RunnableScheduledFuture<?> attempt = (RunnableScheduledFuture<?>) super.schedule(task, 1, TimeUnit.DAYS);
      scheduled.add(attempt);
      return attempt;
    }

    /** Runs what is scheduled, as the delays' end would; a cancelled attempt does nothing. */
    void runScheduled() {
      for (RunnableScheduledFuture<?> attempt; (attempt = scheduled.poll()) != null; ) {
        attempt.run();
      }
    }
  }

  private final Ec2Emulator ec2Emulator = Ec2Emulator.builder().pendingDuration(Duration.ofHours(1)).start();
  private final BerthRuntime runtime = BerthRuntime.builder().region("us-west-2")
      .ec2Endpoint(ec2Emulator.endpoint()).ec2MaxAttempts(1).build();
  private final Ec2AsyncClient ec2 = runtime.ec2();
  private final HandRunLoop loop = new HandRunLoop();

  @AfterEach
  void close() {
    loop.shutdownNow();
    runtime.close();
    ec2Emulator.close();
  }

  private DescribeInstancesRequest pendingInstance() {
    String id = ec2.runInstances(r -> r.imageId(Ec2Emulator.EXAMPLE_IMAGE_ID).instanceType("t3.micro")
        .minCount(1).maxCount(1)).join().instances().get(0).instanceId();
    return DescribeInstancesRequest.builder().instanceIds(id).build();
  }

  private static CompletableFuture<WaiterResponse<DescribeInstancesResponse>> untilRunning(Ec2AsyncWaiter waiter,
      DescribeInstancesRequest request) {
    return waiter.waitUntilInstanceRunning(request, Ec2Waiters.until(Duration.ofHours(1), Duration.ofSeconds(15)));
  }

  private void awaitNextAttemptScheduled(int describedSoFar) {
    Await.until("attempt " + describedSoFar + " answered and the next one scheduled",
        () -> loop.scheduled.size() == 1);
    assertThat(ec2Emulator.calls("DescribeInstances")).isEqualTo(describedSoFar);
  }

  @Test
  void aCancelledWait_makesNoFurtherCall() {
    DescribeInstancesRequest instance = pendingInstance();
    Disposable waiting = Ec2Waiters.await(ec2, loop, waiter -> untilRunning(waiter, instance)).subscribe();
    awaitNextAttemptScheduled(1);
    loop.runScheduled();
    awaitNextAttemptScheduled(2);

    waiting.dispose();

    // The attempt the SDK had scheduled is cancelled, so running what is due calls nothing (a call
    // made from it would be sent before runScheduled returns, and schedule the attempt after it).
    assertThat(List.copyOf(loop.scheduled)).singleElement().satisfies(next -> assertThat(next.isCancelled()).isTrue());
    loop.runScheduled();
    assertThat(loop.scheduled).as("attempts scheduled after the cancel").isEmpty();
    assertThat(ec2Emulator.calls("DescribeInstances")).as("calls after the cancel").isEqualTo(2);
  }

  /** Why {@link Ec2Waiters#await} exists: the SDK's waiter polls on after its own future is cancelled. */
  @Test
  void theSdksWaiterAlone_pollsOnAfterItsFutureIsCancelled() {
    DescribeInstancesRequest instance = pendingInstance();
    Ec2AsyncWaiter waiter = Ec2AsyncWaiter.builder().client(ec2).scheduledExecutorService(loop).build();
    CompletableFuture<?> waiting = untilRunning(waiter, instance);
    awaitNextAttemptScheduled(1);

    waiting.cancel(true);
    assertThat(List.copyOf(loop.scheduled)).singleElement().satisfies(next -> assertThat(next.isCancelled()).isFalse());
    loop.runScheduled();

    Await.until("the SDK's next attempt answered", () -> ec2Emulator.calls("DescribeInstances") == 2);
    Await.until("and another one scheduled", () -> loop.scheduled.size() == 1);
  }
}
