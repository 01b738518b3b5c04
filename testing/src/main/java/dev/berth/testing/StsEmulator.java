package dev.berth.testing;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.reactivestreams.Publisher;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * An AWS STS endpoint on loopback that speaks the real Query protocol, for tests that drive a
 * real AWS SDK client with {@code endpointOverride}.
 *
 * <p>It answers {@code AssumeRole} and {@code GetCallerIdentity} with the XML STS sends, validates
 * parameters as STS does ({@code ValidationError}), requires a SigV4-shaped signature
 * ({@code MissingAuthenticationToken}, {@code IncompleteSignature}), and reports errors in STS's
 * {@code ErrorResponse} document with STS's HTTP status. Every credential it issues names its
 * role: look it up with {@link #issued(String)}, or present it to {@code GetCallerIdentity}, which
 * answers with the assumed-role ARN (and {@code ExpiredToken} once the {@link Clock} passes its
 * expiration).
 *
 * <pre>{@code
 * try (StsEmulator sts = StsEmulator.builder().clock(clock).start();
 *      StsAsyncClient client = StsAsyncClient.builder()
 *          .endpointOverride(sts.endpoint())
 *          .region(Region.US_EAST_1)
 *          .credentialsProvider(StaticCredentialsProvider.create(
 *              AwsBasicCredentials.create("AKIDBERTHTEST0000000", "secret")))
 *          .build()) {
 *   Credentials c = client.assumeRole(r -> r.roleArn("arn:aws:iam::123456789012:role/app")
 *       .roleSessionName("web")).join().credentials();
 *   assertThat(sts.issued(c.accessKeyId()).orElseThrow().roleArn()).endsWith(":role/app");
 * }
 * }</pre>
 */
public final class StsEmulator implements AutoCloseable {

  /** The account of the default caller: {@value}. */
  public static final String DEFAULT_ACCOUNT_ID = "123456789012";

  // The connection stays open after a 5xx; Netty's default parameter limit.
  private static final QueryProtocol PROTOCOL = new QueryProtocol("text/xml", Map.of(), false, 1024);

  private final StsHandler handler;
  private final StsFaults faults;
  private final String accountId;
  private final String callerArn;
  private final EmulatorServer server;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger mostAtOnce = new AtomicInteger();

  private StsEmulator(Builder builder) {
    this.callerArn = builder.callerArn != null
        ? builder.callerArn
        : "arn:aws:iam::" + builder.accountId + ":user/berth-test";
    this.accountId = callerArn.split(":", 6)[4];
    this.faults = new StsFaults();
    this.handler = new StsHandler(builder.clock, callerArn, faults);
    this.server = EmulatorServer.bind(builder, this::serve);
  }

  /**
   * Starts an emulator on {@code 127.0.0.1} and a free port, with the system clock and the
   * default account.
   *
   * @return the running emulator; close it when done
   */
  public static StsEmulator start() {
    return builder().start();
  }

  /**
   * A builder for an emulator with a chosen clock, account, caller or address.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The URI to pass to {@code endpointOverride}, e.g. {@code http://127.0.0.1:41234}.
   *
   * @return the emulator's base URI
   */
  public URI endpoint() {
    return server.endpoint();
  }

  /**
   * The account of the static caller (the one that signs with credentials this emulator did not issue).
   *
   * @return twelve digits
   */
  public String accountId() {
    return accountId;
  }

  /**
   * The ARN {@code GetCallerIdentity} reports for credentials this emulator did not issue, and
   * that {@code AccessDenied} messages name.
   *
   * @return an IAM ARN, by default {@code arn:aws:iam::<account>:user/berth-test}
   */
  public String callerArn() {
    return callerArn;
  }

  /**
   * The faults to inject into later requests.
   *
   * @return this emulator's fault settings
   */
  public StsFaults faults() {
    return faults;
  }

  /**
   * The credentials issued with {@code accessKeyId}, telling which role they belong to.
   *
   * @param accessKeyId an access key id a client received
   * @return the issue, or empty if this emulator never issued that key
   */
  public Optional<Issued> issued(String accessKeyId) {
    return handler.issued(accessKeyId);
  }

  /**
   * Every credential issued so far, oldest first.
   *
   * @return an immutable snapshot
   */
  public List<Issued> issued() {
    return handler.issued();
  }

  /**
   * The most requests this emulator was answering at once since it started (or since {@link
   * #reset}), each counted from its arrival until its answer was sent; with {@link StsFaults#delay},
   * how many calls a client had in flight together.
   */
  public int mostRequestsAtOnce() {
    return mostAtOnce.get();
  }

  /**
   * How many {@code AssumeRole} requests arrived, including those that failed (injected faults,
   * validation errors, denied roles).
   *
   * @return the count since start or the last {@link #reset()}
   */
  public int assumeRoleCalls() {
    return handler.assumeRoleCalls();
  }

  /**
   * How many {@code AssumeRole} requests named {@code roleArn}, including those that failed.
   *
   * @param roleArn the role ARN exactly as the client sent it
   * @return the count since start or the last {@link #reset()}
   */
  public int assumeRoleCalls(String roleArn) {
    return handler.assumeRoleCalls(Objects.requireNonNull(roleArn, "roleArn"));
  }

  /**
   * Zeroes the call counts and clears every fault. Credentials already issued stay valid and
   * can still be looked up, as they would at AWS.
   */
  public void reset() {
    handler.resetCounts();
    faults.clear();
    mostAtOnce.set(inFlight.get());
  }

  /** Stops the server and waits for it to release its port. */
  @Override
  public void close() {
    server.close();
  }

  @Override
  public String toString() {
    return "StsEmulator[" + endpoint() + "]";
  }

  private Publisher<Void> serve(HttpServerRequest request, HttpServerResponse response) {
    Duration delay = faults.currentDelay();
    HttpHeaders headers = request.requestHeaders();
    boolean hasDate = headers.contains("X-Amz-Date") || headers.contains(HttpHeaderNames.DATE);
    String authorization = headers.get(HttpHeaderNames.AUTHORIZATION);
    mostAtOnce.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
    return PROTOCOL.serve(request, response,
            params -> handler.handle(new StsRequest(params, authorization, hasDate), delay))
        .doFinally(signal -> inFlight.decrementAndGet());
  }

  /**
   * Credentials the emulator issued for one {@code AssumeRole}, and what they were issued for.
   *
   * @param roleArn the role ARN the client asked for
   * @param sessionName the {@code RoleSessionName} the client sent
   * @param externalId the {@code ExternalId} the client sent, if any
   * @param accessKeyId {@code ASIA} followed by 16 of {@code A-Z0-9}: 8 derived from the role ARN
   *     (the same for every issue of one role) and an 8-character serial number, unique per issue
   * @param secretAccessKey 40 random base64 characters
   * @param sessionToken base64 of a JSON object naming the {@code roleArn}, {@code roleName},
   *     {@code roleSessionName}, {@code accessKeyId} and {@code expiration}
   * @param expiration when the credentials expire: the clock's time plus {@code DurationSeconds},
   *     to the second
   * @param sessionTags the session tags the client sent ({@code Tags.member.N}), in request order
   */
  public record Issued(
      String roleArn,
      String sessionName,
      Optional<String> externalId,
      String accessKeyId,
      String secretAccessKey,
      String sessionToken,
      Instant expiration,
      Map<String, String> sessionTags) {

    /**
     * Null-checks every component and freezes the tags.
     *
     * @param roleArn the role ARN
     * @param sessionName the session name
     * @param externalId the external id, if any
     * @param accessKeyId the access key id
     * @param secretAccessKey the secret access key
     * @param sessionToken the session token
     * @param expiration the expiration
     * @param sessionTags the session tags; copied
     */
    public Issued {
      Objects.requireNonNull(roleArn, "roleArn");
      Objects.requireNonNull(sessionName, "sessionName");
      Objects.requireNonNull(externalId, "externalId");
      Objects.requireNonNull(accessKeyId, "accessKeyId");
      Objects.requireNonNull(secretAccessKey, "secretAccessKey");
      Objects.requireNonNull(sessionToken, "sessionToken");
      Objects.requireNonNull(expiration, "expiration");
      sessionTags = Collections.unmodifiableMap(new LinkedHashMap<>(sessionTags));
    }

    /**
     * The role's name: the last segment of {@link #roleArn()}, without any path.
     *
     * @return e.g. {@code app} for {@code arn:aws:iam::123456789012:role/team/app}
     */
    public String roleName() {
      return roleArn.substring(roleArn.lastIndexOf('/') + 1);
    }
  }

  /** A way to fail a request, as {@link StsFaults#next(int, Fault)} injects it. */
  public enum Fault {
    /** HTTP 400 {@code Throttling} "Rate exceeded": SDKs back off and retry. */
    THROTTLING,
    /** HTTP 500 {@code InternalFailure}: SDKs retry. */
    SERVER_ERROR,
    /** HTTP 503 {@code ServiceUnavailable}: SDKs retry. */
    UNAVAILABLE
  }

  /**
   * Settings for a new {@link StsEmulator}; every setter checks its argument.
   */
  public static final class Builder extends EmulatorBuilder<Builder> {

    private static final Pattern ACCOUNT = Pattern.compile("\\d{12}");
    private static final Pattern CALLER = Pattern.compile("arn:aws[a-z-]*:(iam|sts)::\\d{12}:\\S+");

    private Clock clock = Clock.systemUTC();
    private String accountId = DEFAULT_ACCOUNT_ID;
    private String callerArn;
    private boolean accountIdSet;

    private Builder() {}

    /**
     * The clock that stamps expirations and decides when issued credentials have expired;
     * the system UTC clock by default. Pass a {@link ManualClock} to test expiry.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The static caller's account, {@value StsEmulator#DEFAULT_ACCOUNT_ID} by default. When a
     * {@link #callerArn(String)} is also given, both must name the same account.
     *
     * @param accountId twelve digits
     * @return this builder
     */
    public Builder accountId(String accountId) {
      Objects.requireNonNull(accountId, "accountId");
      if (!ACCOUNT.matcher(accountId).matches()) {
        throw new IllegalArgumentException("accountId must be twelve digits, like 123456789012; got '" + accountId + "'");
      }
      this.accountId = accountId;
      this.accountIdSet = true;
      return this;
    }

    /**
     * The static caller's ARN, {@code arn:aws:iam::<accountId>:user/berth-test} by default;
     * its account becomes {@link StsEmulator#accountId()}.
     *
     * @param callerArn an IAM or STS ARN, e.g. {@code arn:aws:iam::123456789012:role/host}
     * @return this builder
     */
    public Builder callerArn(String callerArn) {
      Objects.requireNonNull(callerArn, "callerArn");
      if (!CALLER.matcher(callerArn).matches()) {
        throw new IllegalArgumentException(
            "callerArn must be an IAM or STS ARN like arn:aws:iam::123456789012:user/name; got '" + callerArn + "'");
      }
      this.callerArn = callerArn;
      return this;
    }

    /**
     * Binds the server and returns the running emulator.
     *
     * @return the emulator; close it when done
     */
    public StsEmulator start() {
      if (accountIdSet && callerArn != null && !callerArn.split(":", 6)[4].equals(accountId)) {
        throw new IllegalStateException("accountId " + accountId + " disagrees with callerArn " + callerArn
            + "; set only one, or make them name the same account");
      }
      return new StsEmulator(this);
    }
  }
}
