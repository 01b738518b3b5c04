package dev.berth.proxy.sts;

import dev.berth.runtime.HostCredentials;
import dev.berth.proxy.credentials.CredentialException;
import dev.berth.proxy.credentials.CredentialSource;
import dev.berth.proxy.credentials.Credentials;
import dev.berth.proxy.policy.RoleBinding;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.sts.StsAsyncClient;
import software.amazon.awssdk.services.sts.model.AssumeRoleRequest;
import software.amazon.awssdk.services.sts.model.AssumeRoleResponse;
import software.amazon.awssdk.services.sts.model.StsException;

/**
 * Credentials from STS {@code AssumeRole}, through the asynchronous SDK client.
 *
 * <pre>{@code
 * CredentialSource sts = new StsRoleAssumer(stsAsyncClient, Duration.ofHours(1), Clock.systemUTC());
 * }</pre>
 */
public final class StsRoleAssumer implements CredentialSource {

  /** Errors that only a change of configuration or IAM policy can cure. */
  private static final Set<String> PERMANENT =
      Set.of("AccessDenied", "ValidationError", "MalformedPolicyDocument", "PackedPolicyTooLarge",
          "RegionDisabledException", "InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken");

  private static final Logger log = LoggerFactory.getLogger(StsRoleAssumer.class);

  private final Mono<StsAsyncClient> sts;
  private final Duration sessionDuration;
  private final Clock clock;

  /**
   * @param sts the client, e.g. {@code BerthRuntime.sts()}: its HTTP client on the proxy's event loop
   * @param sessionDuration how long each session lasts (STS allows 15 minutes to 12 hours)
   * @param clock stamps {@code LastUpdated}
   */
  public StsRoleAssumer(StsAsyncClient sts, Duration sessionDuration, Clock clock) {
    this(Mono.just(Objects.requireNonNull(sts, "sts")), sessionDuration, clock);
  }

  /**
   * With a client that is still to be made, e.g. {@code runtime::sts}: building an SDK client takes
   * a cold JVM about a second, so it is made at once on a worker thread, in parallel with the rest
   * of the start, and the first fetches wait for it there, never on the loop.
   */
  public StsRoleAssumer(Supplier<StsAsyncClient> sts, Duration sessionDuration, Clock clock) {
    this(Mono.fromSupplier(Objects.requireNonNull(sts, "sts")).subscribeOn(Schedulers.boundedElastic()).cache(),
        sessionDuration, clock);
    // Starts making it now. A client that cannot be made (no region, say) fails every fetch, which
    // the proxy logs per role; this line says why, once.
    this.sts.subscribe(made -> {}, error -> log.error("the STS client cannot be made, so no container gets "
        + "credentials: {}", error.toString()));
  }

  private StsRoleAssumer(Mono<StsAsyncClient> sts, Duration sessionDuration, Clock clock) {
    this.sts = sts;
    this.sessionDuration = Objects.requireNonNull(sessionDuration, "sessionDuration");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public Mono<Credentials> fetch(RoleBinding binding) {
    AssumeRoleRequest request = AssumeRoleRequest.builder()
        .roleArn(binding.roleArn())
        .roleSessionName(binding.sessionName())
        .externalId(binding.externalId())
        .durationSeconds((int) sessionDuration.toSeconds())
        .build();
    // The host's own credentials are made ready off the loop first: the SDK would wait for them here.
    return sts.flatMap(client -> HostCredentials.readyFor(client)
            .then(Mono.defer(() -> Mono.fromFuture(client.assumeRole(request)))))
        .map(this::toCredentials)
        .onErrorMap(error -> !(error instanceof CredentialException), StsRoleAssumer::classify);
  }

  private Credentials toCredentials(AssumeRoleResponse response) {
    var c = response.credentials();
    String assumedArn = response.assumedRoleUser() == null ? "" : response.assumedRoleUser().arn();
    return new Credentials(c.accessKeyId(), c.secretAccessKey(), c.sessionToken(), c.expiration(),
        clock.instant(), accountOf(assumedArn));
  }

  /** {@code arn:aws:sts::123456789012:assumed-role/...} → {@code 123456789012}. */
  static String accountOf(String arn) {
    String[] parts = arn.split(":", 6);
    return parts.length > 4 ? parts[4] : "";
  }

  static CredentialException classify(Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (cause instanceof StsException sts && sts.awsErrorDetails() != null) {
      String code = sts.awsErrorDetails().errorCode();
      String message = sts.awsErrorDetails().errorMessage();
      return new CredentialException(code, "STS " + code + ": " + message, !PERMANENT.contains(code), cause);
    }
    if (cause instanceof ApiCallTimeoutException) {
      return new CredentialException("Timeout", "STS did not answer in time", true, cause);
    }
    if (cause instanceof SdkClientException) {
      return new CredentialException("Unreachable", "STS unreachable: " + cause.getMessage(), true, cause);
    }
    return new CredentialException("InternalError", String.valueOf(cause.getMessage()), true, cause);
  }
}
