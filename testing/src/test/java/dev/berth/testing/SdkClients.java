package dev.berth.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.client.builder.SdkAsyncClientBuilder;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;

/**
 * What the Query emulators' tests share to drive an emulator the way the services are driven: real
 * AWS SDK clients aimed at it, and hand-made requests for what the SDK never sends.
 *
 * <p>Register it on a static field, so its one HTTP client serves the whole test class: each
 * SDK-owned client would add Netty's two-second graceful-shutdown quiet period to every test.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final SdkClients SDK = new SdkClients();
 *
 * StsAsyncClient client = SDK.client(StsAsyncClient.builder(), sts.endpoint(), Region.US_EAST_1,
 *     SdkClients.STATIC, b -> {});
 * }</pre>
 */
final class SdkClients implements BeforeAllCallback, AfterAllCallback {

  /** Credentials that no emulator issued: the static caller's. */
  static final AwsCredentialsProvider STATIC =
      StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDBERTHTEST0000000", "berth-test-secret"));

  private SdkAsyncHttpClient http;

  @Override
  public void beforeAll(ExtensionContext context) {
    http = NettyNioAsyncHttpClient.create();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    http.close();
  }

  /** A client of {@code builder}'s service at {@code endpoint}, on the shared HTTP client, after {@code customizer}. */
  <B extends AwsClientBuilder<B, C> & SdkAsyncClientBuilder<B, C>, C> C client(B builder, URI endpoint, Region region,
      AwsCredentialsProvider credentials, Consumer<B> customizer) {
    builder.endpointOverride(endpoint)
        .region(region)
        .credentialsProvider(credentials)
        .httpClient(http);
    customizer.accept(builder);
    return builder.build();
  }

  /** The exception of type {@code type} that {@code call} failed with; fails the test if it did not. */
  static <E extends Throwable> E failure(CompletableFuture<?> call, Class<E> type) {
    Throwable cause = null;
    try {
      call.join();
    } catch (CompletionException e) {
      cause = e.getCause();
    }
    assertThat(cause).isInstanceOf(type);
    return type.cast(cause);
  }

  /**
   * A hand-made Query request: {@code form} posted to {@code endpoint}, dated, and with
   * {@code authorization} unless it is {@code null}.
   */
  static HttpResponse<String> post(URI endpoint, String form, String authorization) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(endpoint + "/"))
        .header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
        .header("X-Amz-Date", "20260301T120000Z")
        .POST(HttpRequest.BodyPublishers.ofString(form));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
