package dev.berth.runtime;

import io.netty.channel.EventLoopGroup;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Executor;
import software.amazon.awssdk.awscore.client.builder.AwsAsyncClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.SdkAdvancedAsyncClientOption;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.sts.StsAsyncClient;

/**
 * How every AWS SDK client of Berth is made: its futures completed on the shared loop, the host's
 * credentials resolved off the loop. STS's connections run on the loop itself (no thread added, none
 * switched to: its answers are small and a credential request waits for them); EC2's on an I/O
 * thread of their own, which parses its large answers off the loop.
 */
final class AwsClients {

  private AwsClients() {}

  /** STS: a credential request waits for it, so calls are short (3 s an attempt, 10 s in all). */
  static StsAsyncClient sts(EventLoopGroup loop, String region, URI endpoint, HostCredentials credentials) {
    var builder = StsAsyncClient.builder()
        .overrideConfiguration(o -> o.apiCallTimeout(Duration.ofSeconds(10)).apiCallAttemptTimeout(Duration.ofSeconds(3)));
    return onLoop(builder, loop, loop, region, endpoint, credentials).build();
  }

  /**
   * EC2: pipelines wait on it, so calls may take longer and are retried up to {@code maxAttempts}.
   * Its connections run on {@code io}, a thread of their own, and only the parsed answer is handed
   * to {@code loop}: the SDK parses an answer (XML, half a megabyte for a 200-instance
   * DescribeInstances) on the thread that read it, and on the daemon's one loop that parse held up
   * every credential request behind it (bench/daemon-load.sh: p99 13 × idle while a group converged).
   */
  static Ec2AsyncClient ec2(EventLoopGroup io, EventLoopGroup loop, String region, URI endpoint, int maxAttempts,
      HostCredentials credentials) {
    RetryStrategy retries = maxAttempts == 1 ? AwsRetryStrategy.doNotRetry()
        : AwsRetryStrategy.forRetryMode(RetryMode.STANDARD).toBuilder().maxAttempts(maxAttempts).build();
    var builder = Ec2AsyncClient.builder()
        .overrideConfiguration(o -> o.retryStrategy(retries)
            .apiCallTimeout(Duration.ofSeconds(60))
            .apiCallAttemptTimeout(Duration.ofSeconds(20)));
    return onLoop(builder, io, loop, region, endpoint, credentials).build();
  }

  private static <B extends AwsAsyncClientBuilder<B, C> & AwsClientBuilder<B, C>, C> B onLoop(B builder,
      EventLoopGroup io, EventLoopGroup loop, String region, URI endpoint, HostCredentials credentials) {
    builder.httpClientBuilder(NettyNioAsyncHttpClient.builder()
            .eventLoopGroup(SdkEventLoopGroup.create(io))
            .maxConcurrency(64))
        .credentialsProvider(credentials)
        .asyncConfiguration(async -> async.advancedOption(
            SdkAdvancedAsyncClientOption.FUTURE_COMPLETION_EXECUTOR, io == loop ? (Executor) Runnable::run : loop));
    if (region != null) {
      builder.region(Region.of(region));
    }
    if (endpoint != null) {
      builder.endpointOverride(endpoint);
    }
    return builder;
  }
}
