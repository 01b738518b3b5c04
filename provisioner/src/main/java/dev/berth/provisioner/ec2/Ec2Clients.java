package dev.berth.provisioner.ec2;

import dev.berth.hostcredentials.HostCredentials;
import io.netty.channel.EventLoopGroup;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Executor;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.client.config.SdkAdvancedAsyncClientOption;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;

/**
 * {@link Ec2AsyncClient}s whose HTTP client runs on a shared Netty event loop.
 *
 * <pre>{@code
 * EventLoopGroup loop = new NioEventLoopGroup(2);     // or the daemon's one group
 * Ec2AsyncClient ec2 = Ec2Clients.create(loop, "us-west-2", URI.create("http://127.0.0.1:4566"), 3);
 * }</pre>
 */
public final class Ec2Clients {

  private Ec2Clients() {}

  /**
   * A client on {@code loop}, with the SDK's standard credential chain resolved off the loop, that completes its futures
   * on the loop itself (no thread is added; callers must not block in continuations).
   *
   * @param loop a {@code NioEventLoopGroup} or {@code EpollEventLoopGroup} (the only kinds the SDK accepts)
   * @param region the region, or {@code null} for the SDK's region chain
   * @param endpoint the endpoint, or {@code null} for the region's own
   * @param maxAttempts attempts per call including the first (1 disables the SDK's retries);
   *     retries of {@code RunInstances} reuse its client token, so they never launch twice
   * @return the client; close it before the loop
   */
  public static Ec2AsyncClient create(EventLoopGroup loop, String region, URI endpoint, int maxAttempts) {
    return create(loop, region, endpoint, maxAttempts, HostCredentials.defaultChain());
  }

  /**
   * As {@link #create(EventLoopGroup, String, URI, int)}, signing with {@code hostCredentials}, which are
   * resolved off the loop ({@link HostCredentials}): the SDK resolves them on the calling thread, and a
   * provider may block.
   *
   * @param hostCredentials the daemon's own credentials; by default the SDK's chain
   */
  public static Ec2AsyncClient create(EventLoopGroup loop, String region, URI endpoint, int maxAttempts,
      AwsCredentialsProvider hostCredentials) {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
    }
    RetryStrategy retries = maxAttempts == 1 ? AwsRetryStrategy.doNotRetry()
        : AwsRetryStrategy.forRetryMode(RetryMode.STANDARD).toBuilder().maxAttempts(maxAttempts).build();
    var builder = Ec2AsyncClient.builder()
        .httpClient(NettyNioAsyncHttpClient.builder()
            .eventLoopGroup(SdkEventLoopGroup.create(loop))
            .maxConcurrency(64)
            .build())
        .credentialsProvider(HostCredentials.of(hostCredentials))
        .asyncConfiguration(async -> async.advancedOption(
            SdkAdvancedAsyncClientOption.FUTURE_COMPLETION_EXECUTOR, (Executor) Runnable::run))
        .overrideConfiguration(o -> o.retryStrategy(retries)
            .apiCallTimeout(Duration.ofSeconds(60))
            .apiCallAttemptTimeout(Duration.ofSeconds(20)));
    if (region != null) {
      builder.region(Region.of(region));
    }
    if (endpoint != null) {
      builder.endpointOverride(endpoint);
    }
    return builder.build();
  }
}
