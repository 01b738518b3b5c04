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
 * How every AWS SDK client of Berth is made: its HTTP client on the shared loop, its futures
 * completed on the loop itself (no thread added, none switched to), the host's credentials resolved
 * off the loop.
 */
final class AwsClients {

  private AwsClients() {}

  /** STS: a credential request waits for it, so calls are short (3 s an attempt, 10 s in all). */
  static StsAsyncClient sts(EventLoopGroup loop, String region, URI endpoint, HostCredentials credentials) {
    var builder = StsAsyncClient.builder()
        .overrideConfiguration(o -> o.apiCallTimeout(Duration.ofSeconds(10)).apiCallAttemptTimeout(Duration.ofSeconds(3)));
    return onLoop(builder, loop, region, endpoint, credentials).build();
  }

  /** EC2: pipelines wait on it, so calls may take longer and are retried up to {@code maxAttempts}. */
  static Ec2AsyncClient ec2(EventLoopGroup loop, String region, URI endpoint, int maxAttempts,
      HostCredentials credentials) {
    RetryStrategy retries = maxAttempts == 1 ? AwsRetryStrategy.doNotRetry()
        : AwsRetryStrategy.forRetryMode(RetryMode.STANDARD).toBuilder().maxAttempts(maxAttempts).build();
    var builder = Ec2AsyncClient.builder()
        .overrideConfiguration(o -> o.retryStrategy(retries)
            .apiCallTimeout(Duration.ofSeconds(60))
            .apiCallAttemptTimeout(Duration.ofSeconds(20)));
    return onLoop(builder, loop, region, endpoint, credentials).build();
  }

  private static <B extends AwsAsyncClientBuilder<B, C> & AwsClientBuilder<B, C>, C> B onLoop(B builder,
      EventLoopGroup loop, String region, URI endpoint, HostCredentials credentials) {
    builder.httpClientBuilder(NettyNioAsyncHttpClient.builder()
            .eventLoopGroup(SdkEventLoopGroup.create(loop))
            .maxConcurrency(64))
        .credentialsProvider(credentials)
        .asyncConfiguration(async -> async.advancedOption(
            SdkAdvancedAsyncClientOption.FUTURE_COMPLETION_EXECUTOR, (Executor) Runnable::run));
    if (region != null) {
      builder.region(Region.of(region));
    }
    if (endpoint != null) {
      builder.endpointOverride(endpoint);
    }
    return builder;
  }
}
