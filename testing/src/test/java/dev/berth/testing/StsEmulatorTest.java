package dev.berth.testing;

import static dev.berth.testing.SdkClients.STATIC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.testing.StsEmulator.Fault;
import dev.berth.testing.StsEmulator.Issued;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsAsyncClient;
import software.amazon.awssdk.services.sts.StsAsyncClientBuilder;
import software.amazon.awssdk.services.sts.model.AssumeRoleRequest;
import software.amazon.awssdk.services.sts.model.AssumeRoleResponse;
import software.amazon.awssdk.services.sts.model.Credentials;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;
import software.amazon.awssdk.services.sts.model.StsException;
import software.amazon.awssdk.services.sts.model.Tag;

final class StsEmulatorTest {

  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private static final String ROLE = "arn:aws:iam::210987654321:role/team/app";
  @RegisterExtension
  static final SdkClients SDK = new SdkClients();

  private ManualClock clock;
  private StsEmulator sts;
  private StsAsyncClient client;
  private StsAsyncClient noRetries;

  @BeforeEach
  void start() {
    clock = ManualClock.at(NOW);
    sts = StsEmulator.builder().clock(clock).start();
    client = client(STATIC, b -> {});
    noRetries = client(STATIC, b -> b.overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())));
  }

  @AfterEach
  void stop() {
    client.close();
    noRetries.close();
    sts.close();
  }

  @Test
  void assumeRole_validRequest_returnsCredentialsThatNameTheRole() {
    AssumeRoleResponse response = client.assumeRole(r -> r.roleArn(ROLE).roleSessionName("web-1").durationSeconds(900)).join();

    Credentials credentials = response.credentials();
    assertThat(credentials.accessKeyId()).matches("ASIA[A-Z0-9]{16}");
    assertThat(credentials.secretAccessKey()).hasSize(40);
    assertThat(credentials.expiration()).isEqualTo(NOW.plusSeconds(900));
    assertThat(response.assumedRoleUser().arn()).isEqualTo("arn:aws:sts::210987654321:assumed-role/app/web-1");
    assertThat(response.assumedRoleUser().assumedRoleId()).matches("AROA[A-Z0-9]{17}:web-1");

    Issued issued = sts.issued(credentials.accessKeyId()).orElseThrow();
    assertThat(issued.roleArn()).isEqualTo(ROLE);
    assertThat(issued.roleName()).isEqualTo("app");
    assertThat(issued.sessionName()).isEqualTo("web-1");
    assertThat(issued.externalId()).isEmpty();
    assertThat(issued.secretAccessKey()).isEqualTo(credentials.secretAccessKey());
    assertThat(issued.sessionToken()).isEqualTo(credentials.sessionToken());
    assertThat(issued.expiration()).isEqualTo(credentials.expiration());
    assertThat(new String(Base64.getDecoder().decode(credentials.sessionToken()), StandardCharsets.UTF_8))
        .contains("\"roleArn\":\"" + ROLE + "\"", "\"roleName\":\"app\"");
  }

  @Test
  void assumeRole_twice_issuesDistinctKeysWithTheRolesPrefix() {
    String first = assumeRole(ROLE).credentials().accessKeyId();
    String second = assumeRole(ROLE).credentials().accessKeyId();
    String other = assumeRole("arn:aws:iam::210987654321:role/other").credentials().accessKeyId();

    assertThat(first).isNotEqualTo(second);
    assertThat(first.substring(0, 12)).isEqualTo(second.substring(0, 12)).isNotEqualTo(other.substring(0, 12));
    assertThat(sts.issued()).extracting(Issued::accessKeyId).containsExactly(first, second, other);
  }

  @Test
  void assumeRole_noDuration_expiresAfterOneHourOfTheClock() {
    clock.advance(Duration.ofMinutes(7));

    assertThat(assumeRole(ROLE).credentials().expiration()).isEqualTo(NOW.plus(Duration.ofMinutes(67)));
  }

  @Test
  void assumeRole_tagsAndExternalId_areRecorded() {
    AssumeRoleResponse response = client.assumeRole(r -> r.roleArn(ROLE).roleSessionName("web")
        .externalId("berth-host-1")
        .tags(List.of(Tag.builder().key("container").value("web").build(),
            Tag.builder().key("image").value("nginx:1.27").build()))).join();

    Issued issued = sts.issued(response.credentials().accessKeyId()).orElseThrow();
    assertThat(issued.externalId()).contains("berth-host-1");
    assertThat(issued.sessionTags()).containsExactly(Map.entry("container", "web"), Map.entry("image", "nginx:1.27"));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "this-is-not-an-arn-at-all",
      "arn:aws:iam::12345:role/app",
      "arn:aws:iam::123456789012:user/app",
      "arn:aws:iam::123456789012:role/"})
  void assumeRole_invalidRoleArn_validationError(String roleArn) {
    StsException e = failure(noRetries.assumeRole(r -> r.roleArn(roleArn).roleSessionName("web")));

    assertThat(e.statusCode()).isEqualTo(400);
    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationError");
    assertThat(e.awsErrorDetails().errorMessage()).contains("'roleArn'");
    assertThat(sts.issued()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"a", "has space", "semi;colon", "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklm"})
  void assumeRole_invalidSessionName_validationError(String sessionName) {
    StsException e = failure(noRetries.assumeRole(r -> r.roleArn(ROLE).roleSessionName(sessionName)));

    assertThat(e.statusCode()).isEqualTo(400);
    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationError");
    assertThat(e.awsErrorDetails().errorMessage())
        .startsWith("1 validation error detected: Value '" + sessionName + "' at 'roleSessionName'");
  }

  @ParameterizedTest
  @CsvSource({"899, greater than or equal to 900", "43201, less than or equal to 43200"})
  void assumeRole_durationOutOfRange_validationError(int seconds, String rule) {
    StsException e = failure(noRetries.assumeRole(r -> r.roleArn(ROLE).roleSessionName("web").durationSeconds(seconds)));

    assertThat(e.statusCode()).isEqualTo(400);
    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationError");
    assertThat(e.awsErrorDetails().errorMessage()).contains("'durationSeconds'", rule);
  }

  @Test
  void assumeRole_severalInvalidParameters_reportsEach() {
    StsException e = failure(noRetries.assumeRole(r -> r.roleArn("nope-nope-nope-nope-nope").roleSessionName("x")));

    assertThat(e.awsErrorDetails().errorMessage()).startsWith("2 validation errors detected: ");
  }

  @Test
  void assumeRole_deniedRole_accessDeniedAndCounted() {
    sts.faults().denyRole("arn:aws:iam::\\d{12}:role/team/.*");

    StsException e = failure(client.assumeRole(r -> r.roleArn(ROLE).roleSessionName("web")));

    assertThat(e.statusCode()).isEqualTo(403);
    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("AccessDenied");
    assertThat(e.awsErrorDetails().errorMessage())
        .isEqualTo("User: " + sts.callerArn() + " is not authorized to perform: sts:AssumeRole on resource: " + ROLE);
    assertThat(sts.assumeRoleCalls(ROLE)).isEqualTo(1);
    assertThat(assumeRole("arn:aws:iam::210987654321:role/other").credentials()).isNotNull();
  }

  @Test
  void assumeRole_throttledTwice_sdkRetriesAndSucceedsOnTheThirdCall() {
    sts.faults().next(2, Fault.THROTTLING);

    // STANDARD makes three attempts in all, so this holds whatever the SDK's default mode becomes.
    AssumeRoleResponse response;
    try (StsAsyncClient standard = client(STATIC, b -> b.overrideConfiguration(o -> o.retryStrategy(RetryMode.STANDARD)))) {
      response = standard.assumeRole(r -> r.roleArn(ROLE).roleSessionName("web")).join();
    }

    assertThat(sts.issued(response.credentials().accessKeyId())).isPresent();
    assertThat(sts.assumeRoleCalls()).isEqualTo(3);
    assertThat(sts.assumeRoleCalls(ROLE)).isEqualTo(3);
  }

  @ParameterizedTest
  @CsvSource({"THROTTLING, 400, Throttling", "SERVER_ERROR, 500, InternalFailure", "UNAVAILABLE, 503, ServiceUnavailable"})
  void assumeRole_injectedFault_surfacesStatusAndCode(Fault fault, int status, String code) {
    sts.faults().next(1, fault);

    StsException e = failure(noRetries.assumeRole(r -> r.roleArn(ROLE).roleSessionName("web")));

    assertThat(e.statusCode()).isEqualTo(status);
    assertThat(e.awsErrorDetails().errorCode()).isEqualTo(code);
    assertThat(e.requestId()).isNotBlank();
    assertThat(assumeRole(ROLE).credentials()).isNotNull();
    assertThat(sts.assumeRoleCalls()).isEqualTo(2);
  }

  @Test
  void assumeRole_delayed_stillAnswers() {
    sts.faults().delay(Duration.ofMillis(50));

    assertThat(assumeRole(ROLE).credentials()).isNotNull();
  }

  @Test
  void assumeRole_unsigned_missingAuthenticationToken() {
    try (StsAsyncClient anonymous = client(AnonymousCredentialsProvider.create(),
        b -> b.overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())))) {
      StsException e = failure(anonymous.assumeRole(r -> r.roleArn(ROLE).roleSessionName("web")));

      assertThat(e.statusCode()).isEqualTo(403);
      assertThat(e.awsErrorDetails().errorCode()).isEqualTo("MissingAuthenticationToken");
    }
  }

  @Test
  void assumeRole_chainedForMoreThanAnHour_validationError() {
    try (StsAsyncClient chained = client(session(assumeRole(ROLE).credentials()),
        b -> b.overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())))) {
      StsException e = failure(chained.assumeRole(r -> r.roleArn(ROLE).roleSessionName("web").durationSeconds(7200)));

      assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationError");
      assertThat(e.awsErrorDetails().errorMessage()).contains("role chaining");
    }
  }

  @Test
  void getCallerIdentity_staticCredentials_answersTheStaticCaller() {
    GetCallerIdentityResponse identity = client.getCallerIdentity().join();

    assertThat(identity.arn()).isEqualTo("arn:aws:iam::123456789012:user/berth-test").isEqualTo(sts.callerArn());
    assertThat(identity.account()).isEqualTo("123456789012").isEqualTo(sts.accountId());
    assertThat(identity.userId()).matches("AIDA[A-Z0-9]{17}");
  }

  @Test
  void getCallerIdentity_issuedCredentials_answersTheAssumedRole() {
    try (StsAsyncClient asRole = client(session(assumeRole(ROLE).credentials()), b -> {})) {
      GetCallerIdentityResponse identity = asRole.getCallerIdentity().join();

      assertThat(identity.arn()).isEqualTo("arn:aws:sts::210987654321:assumed-role/app/web");
      assertThat(identity.account()).isEqualTo("210987654321");
      assertThat(identity.userId()).endsWith(":web");
    }
  }

  @Test
  void getCallerIdentity_expiredCredentials_expiredToken() {
    Credentials credentials = client.assumeRole(r -> r.roleArn(ROLE).roleSessionName("web").durationSeconds(900))
        .join().credentials();
    clock.advance(Duration.ofSeconds(900));

    try (StsAsyncClient asRole = client(session(credentials),
        b -> b.overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())))) {
      StsException e = failure(asRole.getCallerIdentity());

      assertThat(e.statusCode()).isEqualTo(403);
      assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ExpiredToken");
    }
  }

  @Test
  void assumeRoleCalls_reset_zeroesCountsAndClearsFaults() {
    assumeRole(ROLE);
    assumeRole("arn:aws:iam::210987654321:role/other");
    sts.faults().next(5, Fault.UNAVAILABLE).denyRole(".*");

    assertThat(sts.assumeRoleCalls()).isEqualTo(2);
    assertThat(sts.assumeRoleCalls(ROLE)).isEqualTo(1);
    sts.reset();

    assertThat(sts.assumeRoleCalls()).isZero();
    assertThat(sts.assumeRoleCalls(ROLE)).isZero();
    assertThat(assumeRole(ROLE).credentials()).isNotNull();
    assertThat(sts.issued()).hasSize(3);
  }

  @Test
  void assumeRole_rawQueryRequest_answersStsXml() throws Exception {
    HttpResponse<String> response = post("Action=AssumeRole&Version=2011-06-15"
        + "&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fapp&RoleSessionName=raw", true);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).contains("text/xml");
    String requestId = response.headers().firstValue("x-amzn-RequestId").orElseThrow();
    assertThat(response.body())
        .startsWith("<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n  <AssumeRoleResult>\n    <Credentials>\n      <AccessKeyId>ASIA")
        .contains("<Expiration>2026-03-01T13:00:00Z</Expiration>")
        .contains("<Arn>arn:aws:sts::123456789012:assumed-role/app/raw</Arn>")
        .contains("<ResponseMetadata>\n    <RequestId>" + requestId + "</RequestId>\n  </ResponseMetadata>")
        .doesNotContain("PackedPolicySize");
    assertThat(post("Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fapp"
        + "&RoleSessionName=raw&Tags.member.1.Key=team&Tags.member.1.Value=berth", true).body())
        .containsPattern("</AssumedRoleUser>\n    <PackedPolicySize>\\d+</PackedPolicySize>\n  </AssumeRoleResult>");
  }

  @Test
  void request_unknownActionOrVersion_invalidAction() throws Exception {
    HttpResponse<String> unknown = post("Action=AssumeRoot&Version=2011-06-15", true);
    HttpResponse<String> noVersion = post("Action=GetCallerIdentity", true);

    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(unknown.body()).contains("<Type>Sender</Type>", "<Code>InvalidAction</Code>",
        "Could not find operation AssumeRoot for version 2011-06-15");
    assertThat(noVersion.body()).contains("for version NO_VERSION_SPECIFIED");
  }

  @Test
  void request_malformedSignature_incompleteSignature() throws Exception {
    HttpResponse<String> response = post("Action=GetCallerIdentity&Version=2011-06-15", false);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).startsWith("<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">")
        .contains("<Code>IncompleteSignature</Code>", "'Signature'", "<RequestId>");
  }

  @Test
  void builder_malformedAccountId_rejected() {
    assertThatThrownBy(() -> StsEmulator.builder().accountId("1234"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("twelve digits");
    assertThatThrownBy(() -> StsEmulator.builder().accountId("111111111111")
        .callerArn("arn:aws:iam::222222222222:user/x").start())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("disagrees");
  }

  private AssumeRoleResponse assumeRole(String roleArn) {
    return client.assumeRole(AssumeRoleRequest.builder().roleArn(roleArn).roleSessionName("web").build()).join();
  }

  private StsAsyncClient client(AwsCredentialsProvider credentials, Consumer<StsAsyncClientBuilder> customizer) {
    return SDK.client(StsAsyncClient.builder(), sts.endpoint(), Region.US_EAST_1, credentials, customizer);
  }

  private static AwsCredentialsProvider session(Credentials c) {
    return StaticCredentialsProvider.create(
        AwsSessionCredentials.create(c.accessKeyId(), c.secretAccessKey(), c.sessionToken()));
  }

  private static StsException failure(CompletableFuture<?> call) {
    return SdkClients.failure(call, StsException.class);
  }

  // A hand-made Query request, for what the SDK never sends: wrong actions, broken signatures.
  private HttpResponse<String> post(String form, boolean completeSignature) throws Exception {
    return SdkClients.post(sts.endpoint(), form,
        "AWS4-HMAC-SHA256 Credential=AKIDBERTHTEST0000000/20260301/us-east-1/sts/aws4_request"
            + (completeSignature ? ", SignedHeaders=host;x-amz-date, Signature=0123456789abcdef" : ""));
  }
}
