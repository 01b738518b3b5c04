package dev.berth.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.testing.Ec2Emulator.Fault;
import dev.berth.testing.Ec2Emulator.Instance;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.ec2.Ec2AsyncClientBuilder;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesResponse;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.InstanceStateChange;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.Reservation;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.RunInstancesResponse;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

final class Ec2EmulatorTest {

  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private static final String IMAGE = Ec2Emulator.EXAMPLE_IMAGE_ID;

  @RegisterExtension
  static final SdkClients SDK = new SdkClients();

  private ManualClock clock;
  private Ec2Emulator ec2;
  private Ec2AsyncClient client;

  @BeforeEach
  void start() {
    clock = ManualClock.at(NOW);
    ec2 = Ec2Emulator.builder().clock(clock)
        .pendingDuration(Duration.ofSeconds(30))
        .shuttingDownDuration(Duration.ofSeconds(60))
        .start();
    client = client(b -> b.overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())));
  }

  @AfterEach
  void stop() {
    client.close();
    ec2.close();
  }

  @Test
  void runInstances_tagSpecification_tagsExistFromLaunch() {
    RunInstancesResponse response = client.runInstances(launch(2).toBuilder()
        .keyName("my-laptop")
        .instanceType("t3.micro")
        .placement(p -> p.availabilityZone("us-west-2b"))
        .securityGroupIds("sg-57411931")
        .userData(base64("#!/bin/sh\necho hi\n"))
        .tagSpecifications(tags(ResourceType.INSTANCE, Map.of("infrakit.group", "web")))
        .build()).join();

    assertThat(response.reservationId()).matches("r-[0-9a-f]{17}");
    assertThat(response.ownerId()).isEqualTo(Ec2Emulator.DEFAULT_ACCOUNT_ID);
    assertThat(response.instances()).hasSize(2).allSatisfy(i -> {
      assertThat(i.instanceId()).matches("i-[0-9a-f]{17}");
      assertThat(i.state().name()).isEqualTo(InstanceStateName.PENDING);
      assertThat(i.state().code()).isZero();
      assertThat(i.tags()).containsExactly(Tag.builder().key("infrakit.group").value("web").build());
      assertThat(i.placement().availabilityZone()).isEqualTo("us-west-2b");
      assertThat(i.instanceTypeAsString()).isEqualTo("t3.micro");
      assertThat(i.keyName()).isEqualTo("my-laptop");
      assertThat(i.securityGroups()).extracting(g -> g.groupId()).containsExactly("sg-57411931");
      assertThat(i.launchTime()).isEqualTo(NOW);
      assertThat(i.privateIpAddress()).startsWith("10.0.");
    });
    assertThat(response.instances()).extracting(i -> i.amiLaunchIndex()).containsExactly(0, 1);
    assertThat(ec2.instances()).allSatisfy(i -> {
      assertThat(i.userData()).isEqualTo("#!/bin/sh\necho hi\n");
      assertThat(i.tags()).containsEntry("infrakit.group", "web");
    });
  }

  @Test
  void runInstances_invalidTag_launchesNothing() {
    Ec2Exception e = failure(client.runInstances(launch(3).toBuilder()
        .tagSpecifications(tags(ResourceType.INSTANCE, Map.of("aws:reserved", "x"))).build()));

    assertThat(e.statusCode()).isEqualTo(400);
    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidParameterValue");
    assertThat(ec2.instances()).isEmpty();
  }

  @Test
  void state_clockMoves_pendingRunningShuttingDownTerminated() {
    String id = client.runInstances(launch(1)).join().instances().get(0).instanceId();

    assertThat(state(id)).isEqualTo("pending");
    clock.advance(Duration.ofSeconds(30));
    assertThat(state(id)).isEqualTo("running");

    InstanceStateChange change = client.terminateInstances(r -> r.instanceIds(id)).join().terminatingInstances().get(0);
    assertThat(change.previousState().name()).isEqualTo(InstanceStateName.RUNNING);
    assertThat(change.currentState().name()).isEqualTo(InstanceStateName.SHUTTING_DOWN);
    assertThat(change.currentState().code()).isEqualTo(32);
    clock.advance(Duration.ofSeconds(59));
    assertThat(state(id)).isEqualTo("shutting-down");
    clock.advance(Duration.ofSeconds(1));
    assertThat(state(id)).isEqualTo("terminated");
    assertThat(ec2.instance(id).orElseThrow().state()).isEqualTo("terminated");

    clock.advance(Duration.ofHours(2));
    assertThat(ec2.instances()).isEmpty();
  }

  @Test
  void runInstances_sameClientTokenTwice_oneReservation() {
    RunInstancesRequest request = launch(3).toBuilder().clientToken("berth-token-1").build();

    RunInstancesResponse first = client.runInstances(request).join();
    clock.advance(Duration.ofSeconds(40));
    RunInstancesResponse second = client.runInstances(request).join();

    assertThat(second.reservationId()).isEqualTo(first.reservationId());
    assertThat(second.instances()).extracting(i -> i.instanceId())
        .containsExactlyElementsOf(first.instances().stream().map(i -> i.instanceId()).toList());
    assertThat(second.instances()).allSatisfy(i -> assertThat(i.state().name()).isEqualTo(InstanceStateName.RUNNING));
    assertThat(ec2.instances()).hasSize(3).allSatisfy(i -> assertThat(i.clientToken()).isEqualTo("berth-token-1"));
    assertThat(ec2.calls("RunInstances")).isEqualTo(2);
  }

  @Test
  void runInstances_sameClientTokenOtherParameters_idempotentParameterMismatch() {
    client.runInstances(launch(1).toBuilder().clientToken("t-1").build()).join();

    Ec2Exception e = failure(client.runInstances(launch(2).toBuilder().clientToken("t-1").build()));

    assertThat(e.statusCode()).isEqualTo(400);
    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("IdempotentParameterMismatch");
    assertThat(ec2.instances()).hasSize(1);
  }

  @Test
  void dryRun_validRequests_dryRunOperationAndNoEffect() {
    String id = client.runInstances(launch(1)).join().instances().get(0).instanceId();

    Ec2Exception run = failure(client.runInstances(launch(1).toBuilder().dryRun(true).build()));
    Ec2Exception terminate = failure(client.terminateInstances(r -> r.instanceIds(id).dryRun(true)));
    Ec2Exception describe = failure(client.describeInstances(r -> r.dryRun(true)));

    for (Ec2Exception e : List.of(run, terminate, describe)) {
      assertThat(e.statusCode()).isEqualTo(412);
      assertThat(e.awsErrorDetails().errorCode()).isEqualTo("DryRunOperation");
      assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("Request would have succeeded, but DryRun flag is set.");
    }
    assertThat(ec2.instances()).singleElement().satisfies(i -> assertThat(i.state()).isEqualTo("pending"));
  }

  @Test
  void dryRun_invalidRequest_realErrorFirst() {
    Ec2Exception e = failure(client.runInstances(launch(1).toBuilder().imageId("ami-00000000").dryRun(true).build()));

    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidAMIID.NotFound");
  }

  @ParameterizedTest
  @CsvSource({
      "ami-00000000, 400, InvalidAMIID.NotFound, The image id '[ami-00000000]' does not exist",
      "not-an-ami, 400, InvalidAMIID.Malformed, Invalid id: \"not-an-ami\""})
  void runInstances_badImage_documentedError(String imageId, int status, String code, String message) {
    Ec2Exception e = failure(client.runInstances(launch(1).toBuilder().imageId(imageId).build()));

    assertThat(e.statusCode()).isEqualTo(status);
    assertThat(e.awsErrorDetails().errorCode()).isEqualTo(code);
    assertThat(e.awsErrorDetails().errorMessage()).startsWith(message);
    assertThat(e.requestId()).isNotBlank();
  }

  @Test
  void runInstances_missingCounts_missingParameter() {
    Ec2Exception e = failure(client.runInstances(r -> r.imageId(IMAGE).maxCount(1)));

    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("MissingParameter");
    assertThat(e.awsErrorDetails().errorMessage()).contains("MinCount");
  }

  @Test
  void runInstances_privateAddressInUse_invalidIpAddressInUse() {
    client.runInstances(launch(1).toBuilder().privateIpAddress("10.0.9.9").build()).join();

    Ec2Exception e = failure(client.runInstances(launch(1).toBuilder().privateIpAddress("10.0.9.9").build()));

    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidIPAddress.InUse");
    assertThat(ec2.instances()).extracting(Instance::privateIpAddress).containsExactly("10.0.9.9");
  }

  @Test
  void describeInstances_filters_matchTagsStatesIdsAndImages() {
    String web = client.runInstances(launch(2).toBuilder()
        .tagSpecifications(tags(ResourceType.INSTANCE, Map.of("infrakit.group", "web", "Name", "web-1")))
        .build()).join().instances().get(0).instanceId();
    client.runInstances(launch(1).toBuilder().imageId("ami-12345678")
        .tagSpecifications(tags(ResourceType.INSTANCE, Map.of("infrakit.group", "db"))).build()).join();
    client.terminateInstances(r -> r.instanceIds(web)).join();

    assertThat(ids(filter("tag:infrakit.group", "web"))).hasSize(2);
    assertThat(ids(filter("tag:infrakit.group", "web"), filter("instance-state-name", "pending", "running"))).hasSize(1);
    assertThat(ids(filter("tag-key", "Name"))).hasSize(2);
    assertThat(ids(filter("tag:Name", "web-*"))).hasSize(2);
    assertThat(ids(filter("tag:infrakit.group", "d?"))).hasSize(1);
    assertThat(ids(filter("instance-id", web))).containsExactly(web);
    assertThat(ids(filter("image-id", "ami-12345678"))).hasSize(1);
    assertThat(ids(filter("instance-state-name", "shutting-down"))).containsExactly(web);
    assertThat(ids(filter("tag:missing", "*"))).isEmpty();
  }

  @Test
  void describeInstances_unknownFilter_invalidParameterValue() {
    Ec2Exception e = failure(client.describeInstances(r -> r.filters(filter("color", "blue"))));

    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidParameterValue");
    assertThat(e.awsErrorDetails().errorMessage()).contains("'color'");
  }

  @Test
  void describeInstances_maxResults_pagesThroughEveryInstanceOnce() {
    for (int i = 0; i < 4; i++) {
      client.runInstances(launch(3)).join();
    }

    List<DescribeInstancesResponse> pages = new ArrayList<>();
    client.describeInstancesPaginator(r -> r.maxResults(5)).subscribe(pages::add).join();

    assertThat(pages).hasSize(3);
    assertThat(pages.get(2).nextToken()).isNull();
    List<String> seen = pages.stream().flatMap(p -> p.reservations().stream())
        .flatMap(r -> r.instances().stream()).map(i -> i.instanceId()).toList();
    assertThat(seen).doesNotHaveDuplicates()
        .containsExactlyElementsOf(ec2.instances().stream().map(Instance::instanceId).toList());
    assertThat(pages.get(0).reservations()).extracting(r -> r.instances().size()).containsExactly(3, 2);
  }

  @Test
  void describeInstances_launchBetweenPages_pageBoundaryHolds() {
    client.runInstances(launch(6)).join();
    DescribeInstancesResponse first = client.describeInstances(r -> r.maxResults(5)).join();
    client.runInstances(launch(2)).join();

    DescribeInstancesResponse second = client.describeInstances(r -> r.maxResults(5).nextToken(first.nextToken())).join();

    assertThat(second.reservations().stream().mapToInt(r -> r.instances().size()).sum()).isEqualTo(3);
  }

  @Test
  void describeInstances_maxResultsOutOfRangeOrWithIds_rejected() {
    String id = client.runInstances(launch(1)).join().instances().get(0).instanceId();

    assertThat(failure(client.describeInstances(r -> r.maxResults(4))).awsErrorDetails().errorCode())
        .isEqualTo("InvalidParameterValue");
    assertThat(failure(client.describeInstances(r -> r.maxResults(5).instanceIds(id))).awsErrorDetails().errorCode())
        .isEqualTo("InvalidParameterCombination");
  }

  @Test
  void describeInstances_unknownOrMalformedId_documentedErrors() {
    assertThat(failure(client.describeInstances(r -> r.instanceIds("i-0123456789abcdef0"))).awsErrorDetails().errorCode())
        .isEqualTo("InvalidInstanceID.NotFound");
    assertThat(failure(client.describeInstances(r -> r.instanceIds("web-1"))).awsErrorDetails().errorCode())
        .isEqualTo("InvalidInstanceID.Malformed");
  }

  @Test
  void terminateInstances_batchWithOneUnknown_terminatesNothing() {
    List<String> ids = client.runInstances(launch(3)).join().instances().stream().map(i -> i.instanceId()).toList();
    List<String> withUnknown = new ArrayList<>(ids);
    withUnknown.add("i-0123456789abcdef0");

    Ec2Exception e = failure(client.terminateInstances(r -> r.instanceIds(withUnknown)));
    List<InstanceStateChange> changes = client.terminateInstances(r -> r.instanceIds(ids)).join().terminatingInstances();

    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidInstanceID.NotFound");
    assertThat(changes).extracting(InstanceStateChange::instanceId).containsExactlyElementsOf(ids);
    assertThat(changes).allSatisfy(c -> assertThat(c.previousState().name()).isEqualTo(InstanceStateName.PENDING));
    assertThat(ec2.instances()).extracting(Instance::state).containsOnly("shutting-down");
  }

  @Test
  void createAndDeleteTags_instance_tagsChange() {
    String id = client.runInstances(launch(1)).join().instances().get(0).instanceId();

    client.createTags(r -> r.resources(id).tags(tag("a", "1"), tag("b", "2"), tag("c", "3"))).join();
    client.deleteTags(r -> r.resources(id).tags(tag("a", "1"), tag("b", "other"), Tag.builder().key("c").build())).join();

    assertThat(ec2.instance(id).orElseThrow().tags()).containsExactly(Map.entry("b", "2"));
    assertThat(failure(client.createTags(r -> r.resources("i-0123456789abcdef0").tags(tag("a", "1"))))
        .awsErrorDetails().errorCode()).isEqualTo("InvalidInstanceID.NotFound");
  }

  @Test
  void describeImages_knownUnknownMalformed() {
    List<Image> images = client.describeImages(r -> r.imageIds(IMAGE)).join().images();

    assertThat(images).singleElement().satisfies(i -> {
      assertThat(i.imageId()).isEqualTo(IMAGE);
      assertThat(i.stateAsString()).isEqualTo("available");
      assertThat(i.rootDeviceName()).isEqualTo("/dev/xvda");
    });
    assertThat(client.describeImages(r -> r.owners("self")).join().images()).extracting(Image::imageId)
        .contains("ami-12345678").doesNotContain(IMAGE);
    assertThat(failure(client.describeImages(r -> r.imageIds("ami-deadbeef"))).awsErrorDetails().errorCode())
        .isEqualTo("InvalidAMIID.NotFound");
    assertThat(failure(client.describeImages(r -> r.imageIds("img-1"))).awsErrorDetails().errorCode())
        .isEqualTo("InvalidAMIID.Malformed");
  }

  @ParameterizedTest
  @CsvSource({
      "REQUEST_LIMIT_EXCEEDED, 503, RequestLimitExceeded",
      "INSUFFICIENT_INSTANCE_CAPACITY, 500, InsufficientInstanceCapacity",
      "INTERNAL_ERROR, 500, InternalError",
      "UNAVAILABLE, 503, Unavailable"})
  void faults_nextCall_failsWithStatusAndCodeAndNoEffect(Fault fault, int status, String code) {
    ec2.faults().fail("RunInstances", 1, fault);

    Ec2Exception e = failure(client.runInstances(launch(1).toBuilder().clientToken("tok").build()));
    RunInstancesResponse retried = client.runInstances(launch(1).toBuilder().clientToken("tok").build()).join();

    assertThat(e.statusCode()).isEqualTo(status);
    assertThat(e.awsErrorDetails().errorCode()).isEqualTo(code);
    assertThat(retried.instances()).hasSize(1);
    assertThat(ec2.instances()).hasSize(1);
    assertThat(ec2.calls("RunInstances")).isEqualTo(2);
  }

  @Test
  void faults_skipThenFail_onlyTheNamedCallsFail() {
    ec2.faults().fail("DescribeInstances", 1, 1, Fault.INTERNAL_ERROR);

    client.describeInstances().join();
    client.runInstances(launch(1)).join();
    Ec2Exception e = failure(client.describeInstances());
    client.describeInstances().join();

    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InternalError");
    assertThat(ec2.calls()).containsEntry("DescribeInstances", 3).containsEntry("RunInstances", 1);
  }

  @Test
  void faults_throttledTwice_sdkRetriesAndTheThirdCallLaunches() {
    ec2.faults().fail("RunInstances", 2, Fault.REQUEST_LIMIT_EXCEEDED);

    try (Ec2AsyncClient standard = client(b -> b.overrideConfiguration(o -> o.retryStrategy(RetryMode.STANDARD)))) {
      assertThat(standard.runInstances(launch(1).toBuilder().clientToken("x").build()).join().instances()).hasSize(1);
    }

    assertThat(ec2.calls("RunInstances")).isEqualTo(3);
    assertThat(ec2.instances()).hasSize(1);
  }

  @Test
  void faults_delayedAnswer_launchHappensEvenIfTheClientGivesUp() {
    ec2.faults().delay("RunInstances", 1, Duration.ofSeconds(5));

    try (Ec2AsyncClient impatient = client(b -> b.overrideConfiguration(o -> o
        .retryStrategy(AwsRetryStrategy.doNotRetry()).apiCallTimeout(Duration.ofMillis(300))))) {
      assertThatThrownBy(() -> impatient.runInstances(launch(2)).join())
          .hasCauseInstanceOf(ApiCallTimeoutException.class);
    }

    assertThat(ec2.instances()).hasSize(2);
  }

  @Test
  void faults_capacity_launchesWhatFitsThenInsufficientCapacity() {
    ec2.faults().capacity(3);

    RunInstancesResponse partial = client.runInstances(launch(1).toBuilder().maxCount(5).build()).join();
    Ec2Exception e = failure(client.runInstances(launch(1)));

    assertThat(partial.instances()).hasSize(3);
    assertThat(e.statusCode()).isEqualTo(500);
    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InsufficientInstanceCapacity");
    assertThat(ec2.instances()).hasSize(3);
  }

  @Test
  void faults_unknownAction_rejectedWithTheKnownOnes() {
    assertThatThrownBy(() -> ec2.faults().fail("RunInstance", 1, Fault.INTERNAL_ERROR))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("RunInstances");
  }

  @Test
  void reset_forgetsInstancesCountsAndFaults() {
    client.runInstances(launch(1)).join();
    ec2.faults().fail("RunInstances", 1, Fault.INTERNAL_ERROR);

    ec2.reset();

    assertThat(ec2.instances()).isEmpty();
    assertThat(ec2.calls("RunInstances")).isZero();
    assertThat(client.runInstances(launch(1)).join().instances()).hasSize(1);
  }

  @Test
  void request_unknownAction_errorDocumentInEc2Shape() throws Exception {
    HttpResponse<String> response = post("Action=RunInstance&Version=2016-11-15", true);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).contains("<Response><Errors><Error><Code>InvalidAction</Code><Message>"
        + "The action RunInstance is not valid for this web service.</Message></Error></Errors><RequestID>");
  }

  @Test
  void request_unsignedOrWrongVersion_rejected() throws Exception {
    HttpResponse<String> unsigned = post("Action=DescribeInstances&Version=2016-11-15", false);
    HttpResponse<String> version = post("Action=DescribeInstances&Version=2014-01-01", true);

    assertThat(unsigned.statusCode()).isEqualTo(401);
    assertThat(unsigned.body()).contains("<Code>AuthFailure</Code>");
    assertThat(version.body()).contains("<Code>NoSuchVersion</Code>");
  }

  @Test
  void response_success_isInTheEc2Namespace() throws Exception {
    HttpResponse<String> response = post("Action=DescribeInstances&Version=2016-11-15", true);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("<DescribeInstancesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">",
        "<requestId>", "<reservationSet>");
  }

  @Test
  void builder_badSettings_rejected() {
    assertThatThrownBy(() -> Ec2Emulator.builder().pendingDuration(Duration.ofSeconds(-1)))
        .hasMessageContaining("pendingDuration");
    assertThatThrownBy(() -> new Ec2Emulator.Image("image-1", "x", "123456789012", false))
        .hasMessageContaining("ami-");
  }

  private String state(String id) {
    List<Reservation> reservations = client.describeInstances(r -> r.instanceIds(id)).join().reservations();
    return reservations.get(0).instances().get(0).state().nameAsString();
  }

  @SafeVarargs
  private List<String> ids(Filter... filters) {
    return client.describeInstances(DescribeInstancesRequest.builder().filters(filters).build()).join()
        .reservations().stream().flatMap(r -> r.instances().stream()).map(i -> i.instanceId()).toList();
  }

  private static Filter filter(String name, String... values) {
    return Filter.builder().name(name).values(values).build();
  }

  private static RunInstancesRequest launch(int count) {
    return RunInstancesRequest.builder().imageId(IMAGE).minCount(count).maxCount(count).build();
  }

  private static TagSpecification tags(ResourceType type, Map<String, String> tags) {
    return TagSpecification.builder().resourceType(type)
        .tags(tags.entrySet().stream().map(e -> tag(e.getKey(), e.getValue())).toList()).build();
  }

  private static Tag tag(String key, String value) {
    return Tag.builder().key(key).value(value).build();
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private Ec2AsyncClient client(Consumer<Ec2AsyncClientBuilder> customizer) {
    return SDK.client(Ec2AsyncClient.builder(), ec2.endpoint(), Region.US_WEST_2, SdkClients.STATIC, customizer);
  }

  private static Ec2Exception failure(CompletableFuture<?> call) {
    return SdkClients.failure(call, Ec2Exception.class);
  }

  // A hand-made Query request, for what the SDK never sends: unknown actions, missing signatures.
  private HttpResponse<String> post(String form, boolean signed) throws Exception {
    return SdkClients.post(ec2.endpoint(), form, signed
        ? "AWS4-HMAC-SHA256 Credential=AKIDBERTHTEST0000000/20260301/us-west-2/ec2/aws4_request, "
            + "SignedHeaders=host;x-amz-date, Signature=0123456789abcdef"
        : null);
  }
}
