package dev.berth.testing;

import io.netty.handler.codec.http.HttpHeaderNames;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.reactivestreams.Publisher;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * An Amazon EC2 endpoint on loopback that speaks the real Query protocol (API version
 * {@code 2016-11-15}), for tests that drive a real {@code Ec2AsyncClient} with {@code endpointOverride}.
 *
 * <p>It answers {@code RunInstances} (with {@code ClientToken} idempotency, {@code TagSpecification}s
 * applied atomically at launch, {@code MinCount}/{@code MaxCount}, EBS block-device mappings with
 * their encryption), {@code DescribeInstances} (instance ids, filters, {@code MaxResults}/{@code NextToken}
 * pagination), {@code DescribeInstanceStatus}, {@code StopInstances}, {@code TerminateInstances}, {@code GetConsoleOutput},
 * {@code CreateTags}, {@code DeleteTags}; images ({@code DescribeImages}, {@code CopyImage} with
 * {@code Encrypted}/{@code KmsKeyId}/{@code ClientToken}, {@code CreateImage}, {@code RegisterImage},
 * {@code DeregisterImage}); snapshots ({@code DescribeSnapshots}, {@code CreateSnapshot},
 * {@code DeleteSnapshot}, {@code ModifySnapshotAttribute}, {@code DescribeSnapshotAttribute}); volumes ({@code CreateVolume},
 * {@code DescribeVolumes}, {@code AttachVolume}, {@code DeleteVolume}, {@code GetEbsDefaultKmsKeyId});
 * and the network ({@code DescribeSubnets}, {@code DescribeSecurityGroups}, {@code CreateSecurityGroup},
 * {@code AuthorizeSecurityGroupIngress}, {@code DeleteSecurityGroup}); all with {@code DryRun} and
 * EC2's error codes and HTTP statuses. Instances move from pending to running, when stopped through
 * stopping to stopped, and after termination through shutting-down to terminated; snapshots and
 * images from pending to completed/available, as the {@link Clock} passes: move a {@link ManualClock}
 * instead of sleeping. {@link #faults()} injects throttling, capacity errors, 5xx and latency.
 *
 * <pre>{@code
 * try (Ec2Emulator ec2 = Ec2Emulator.builder().clock(clock).start();
 *      Ec2AsyncClient client = Ec2AsyncClient.builder()
 *          .endpointOverride(ec2.endpoint())
 *          .region(Region.US_WEST_2)
 *          .credentialsProvider(StaticCredentialsProvider.create(
 *              AwsBasicCredentials.create("AKIDBERTHTEST0000000", "secret")))
 *          .build()) {
 *   client.runInstances(r -> r.imageId("ami-4926fd29").minCount(1).maxCount(1)).join();
 *   clock.advance(Duration.ofSeconds(3));
 *   assertThat(ec2.instances()).extracting(Ec2Emulator.Instance::state).containsExactly("running");
 * }
 * }</pre>
 */
public final class Ec2Emulator implements AutoCloseable {

  /** The account that owns every reservation: {@value}. */
  public static final String DEFAULT_ACCOUNT_ID = "123456789012";

  /** The image of the InfraKit AWS example, always registered: {@value}. */
  public static final String EXAMPLE_IMAGE_ID = "ami-4926fd29";

  // A 5xx closes the connection; a launch or terminate may carry thousands of list parameters.
  private static final QueryProtocol PROTOCOL = new QueryProtocol(
      "text/xml;charset=UTF-8", Map.of(HttpHeaderNames.SERVER.toString(), "AmazonEC2"), true, 100_000);

  private final Ec2World world;
  private final Ec2Handler handler;
  private final Ec2Faults faults;
  private final EmulatorServer server;

  private Ec2Emulator(Builder builder) {
    this.faults = new Ec2Faults();
    this.world = new Ec2World(builder.clock, builder.pending, builder.shuttingDown, builder.copying,
        builder.loopback, builder.region, builder.accountId,
        Ec2ImageActions.catalogue(builder.accountId, builder.extraImages));
    this.handler = new Ec2Handler(world, faults);
    this.server = EmulatorServer.bind(builder, this::serve);
  }

  /**
   * Starts an emulator on {@code 127.0.0.1} and a free port, with the system clock.
   *
   * @return the running emulator; close it when done
   */
  public static Ec2Emulator start() {
    return builder().start();
  }

  /**
   * A builder for an emulator with a chosen clock, state durations, images or address.
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
   * The faults to inject into later calls.
   *
   * @return this emulator's fault settings
   */
  public Ec2Faults faults() {
    return faults;
  }

  /**
   * How many calls of {@code action} arrived, including those that failed.
   *
   * @param action e.g. {@code RunInstances}
   * @return the count since start or the last {@link #reset()}
   */
  public int calls(String action) {
    return handler.calls(Objects.requireNonNull(action, "action"));
  }

  /**
   * Every action called so far and how often.
   *
   * @return an immutable snapshot, sorted by action
   */
  public Map<String, Integer> calls() {
    return Collections.unmodifiableMap(handler.calls());
  }

  /**
   * Every instance still visible (terminated ones stay for an hour of the clock), in launch order,
   * with its state at the clock's current time.
   *
   * @return an immutable snapshot
   */
  public List<Instance> instances() {
    return world.snapshots();
  }

  /**
   * One instance by id.
   *
   * @param instanceId e.g. {@code i-0123456789abcdef0}
   * @return the instance as it is now, or empty if there is none
   */
  public Optional<Instance> instance(String instanceId) {
    return world.snapshot(Objects.requireNonNull(instanceId, "instanceId"));
  }

  /**
   * Every resource made through the API that still exists — instances not yet terminated, images
   * not deregistered, snapshots, volumes and security groups — with its tags; the built-in images,
   * their snapshots and the default security groups are left out. A test that cleaned up after
   * itself sees an empty map.
   *
   * @return an immutable snapshot, by resource id, in creation order within each family
   */
  public Map<String, Map<String, String>> createdResources() {
    return Collections.unmodifiableMap(world.created());
  }

  /**
   * The account's EBS default KMS key, as {@code GetEbsDefaultKmsKeyId} answers it and as
   * {@code Encrypted} copies without a {@code KmsKeyId} use it.
   *
   * @return a key ARN
   */
  public String defaultKmsKeyId() {
    return world.defaultKmsKeyId;
  }

  /** Forgets every instance, client token, call count and fault; registered images stay. */
  public void reset() {
    world.reset();
    handler.resetCounts();
    faults.clear();
  }

  /** Stops the server and waits for it to release its port. */
  @Override
  public void close() {
    server.close();
  }

  @Override
  public String toString() {
    return "Ec2Emulator[" + endpoint() + "]";
  }

  private Publisher<Void> serve(HttpServerRequest request, HttpServerResponse response) {
    String authorization = request.requestHeaders().get(HttpHeaderNames.AUTHORIZATION);
    return PROTOCOL.serve(request, response, params -> handler.handle(new Ec2Request(params, authorization)));
  }

  /**
   * One instance as a test sees it.
   *
   * @param instanceId {@code i-} and 17 hex digits
   * @param reservationId the {@code r-} id of the {@code RunInstances} that launched it
   * @param imageId the image it was launched from
   * @param instanceType e.g. {@code t3.micro}; {@code m1.small} when the launch named none
   * @param state pending, running, shutting-down or terminated, at the clock's time
   * @param privateIpAddress the address it was given or asked for
   * @param availabilityZone e.g. {@code us-west-2a}
   * @param keyName the key pair name, or empty
   * @param subnetId the subnet it was launched into
   * @param securityGroupIds the security group ids of the launch, in request order
   * @param userData the user data, base64-decoded as UTF-8; empty when none was sent
   * @param clientToken the launch's {@code ClientToken}, or empty
   * @param tags its tags now, in the order they were first set
   * @param launchTime when it was launched, by the emulator's clock
   */
  public record Instance(
      String instanceId,
      String reservationId,
      String imageId,
      String instanceType,
      String state,
      String privateIpAddress,
      String availabilityZone,
      String keyName,
      String subnetId,
      List<String> securityGroupIds,
      String userData,
      String clientToken,
      Map<String, String> tags,
      Instant launchTime) {

    /**
     * Null-checks every component and freezes the collections.
     *
     * @param instanceId the instance id
     * @param reservationId the reservation id
     * @param imageId the image id
     * @param instanceType the instance type
     * @param state the state name
     * @param privateIpAddress the private address
     * @param availabilityZone the zone
     * @param keyName the key name, or empty
     * @param subnetId the subnet id
     * @param securityGroupIds the security group ids; copied
     * @param userData the decoded user data, or empty
     * @param clientToken the client token, or empty
     * @param tags the tags; copied
     * @param launchTime the launch time
     */
    public Instance {
      Objects.requireNonNull(instanceId, "instanceId");
      Objects.requireNonNull(reservationId, "reservationId");
      Objects.requireNonNull(imageId, "imageId");
      Objects.requireNonNull(instanceType, "instanceType");
      Objects.requireNonNull(state, "state");
      Objects.requireNonNull(privateIpAddress, "privateIpAddress");
      Objects.requireNonNull(availabilityZone, "availabilityZone");
      Objects.requireNonNull(keyName, "keyName");
      Objects.requireNonNull(subnetId, "subnetId");
      securityGroupIds = List.copyOf(securityGroupIds);
      Objects.requireNonNull(userData, "userData");
      Objects.requireNonNull(clientToken, "clientToken");
      tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
      Objects.requireNonNull(launchTime, "launchTime");
    }
  }

  /**
   * An image that {@code RunInstances} and {@code DescribeImages} know, with one 8 GiB EBS root
   * volume ({@code /dev/xvda}) backed by a snapshot.
   *
   * @param imageId {@code ami-} and 8 or 17 hex digits
   * @param name the image name
   * @param ownerId the owning account, twelve digits
   * @param encrypted whether its root snapshot is encrypted (under the account's default key)
   * @param productCodes its marketplace (billing) product codes; {@code CopyImage} refuses an image with any
   */
  public record Image(String imageId, String name, String ownerId, boolean encrypted, List<String> productCodes) {

    /**
     * An image without product codes.
     *
     * @param imageId the image id
     * @param name the name
     * @param ownerId the owner account
     * @param encrypted whether it is encrypted
     */
    public Image(String imageId, String name, String ownerId, boolean encrypted) {
      this(imageId, name, ownerId, encrypted, List.of());
    }

    private static final Pattern OWNER = Pattern.compile("\\d{12}");

    /**
     * Checks the id and owner shapes.
     *
     * @param imageId the image id
     * @param name the name
     * @param ownerId the owner account
     * @param encrypted whether it is encrypted
     * @param productCodes the product codes; copied
     */
    public Image {
      productCodes = List.copyOf(productCodes);
      Objects.requireNonNull(imageId, "imageId");
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(ownerId, "ownerId");
      if (!Ec2ImageActions.IMAGE_ID.matcher(imageId).matches()) {
        throw new IllegalArgumentException("imageId must be ami- and 8 or 17 hex digits, got '" + imageId + "'");
      }
      if (!OWNER.matcher(ownerId).matches()) {
        throw new IllegalArgumentException("ownerId must be twelve digits, got '" + ownerId + "'");
      }
    }
  }

  /** A way to fail a call, as {@link Ec2Faults#fail(String, int, Fault)} injects it. */
  public enum Fault {
    /** HTTP 503 {@code RequestLimitExceeded}: the account is throttled; SDKs back off and retry. */
    REQUEST_LIMIT_EXCEEDED,
    /** HTTP 500 {@code InsufficientInstanceCapacity}: no capacity for the launch right now. */
    INSUFFICIENT_INSTANCE_CAPACITY,
    /** HTTP 500 {@code InternalError}: SDKs retry. */
    INTERNAL_ERROR,
    /** HTTP 503 {@code Unavailable}: the server is overloaded; SDKs retry. */
    UNAVAILABLE,
    /**
     * HTTP 500 whose body is no EC2 error document (an HTML page, as a proxy or load balancer in
     * front of the endpoint may answer): the SDK finds no error code or message in it.
     */
    UNEXPECTED_BODY
  }

  /** Settings for a new {@link Ec2Emulator}; every setter checks its argument. */
  public static final class Builder extends EmulatorBuilder<Builder> {

    private Clock clock = Clock.systemUTC();
    private String region = "us-west-2";
    private String accountId = DEFAULT_ACCOUNT_ID;
    private Duration pending = Duration.ofSeconds(2);
    private Duration shuttingDown = Duration.ofSeconds(2);
    private Duration copying = Duration.ofSeconds(10);
    private boolean loopback;
    private final List<Image> extraImages = new ArrayList<>();

    private Builder() {}

    /**
     * The clock that stamps launches and drives state changes; the system UTC clock by default.
     *
     * @param clock the clock, e.g. a {@link ManualClock}
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The region, which names availability zones ({@code us-west-2a} ...) and DNS names;
     * {@code us-west-2} by default.
     *
     * @param region e.g. {@code eu-west-1}
     * @return this builder
     */
    public Builder region(String region) {
      Objects.requireNonNull(region, "region");
      if (!region.matches("[a-z]{2}(-[a-z]+)+-\\d")) {
        throw new IllegalArgumentException("region must look like us-west-2, got '" + region + "'");
      }
      this.region = region;
      return this;
    }

    /**
     * The account that owns reservations and {@code self} images; {@value #DEFAULT_ACCOUNT_ID} by default.
     *
     * @param accountId twelve digits
     * @return this builder
     */
    public Builder accountId(String accountId) {
      Objects.requireNonNull(accountId, "accountId");
      if (!accountId.matches("\\d{12}")) {
        throw new IllegalArgumentException("accountId must be twelve digits, got '" + accountId + "'");
      }
      this.accountId = accountId;
      return this;
    }

    /**
     * How long a new instance stays pending before it runs; 2 seconds by default.
     *
     * @param pending not negative
     * @return this builder
     */
    public Builder pendingDuration(Duration pending) {
      this.pending = nonNegative("pendingDuration", pending);
      return this;
    }

    /**
     * How long a terminated instance stays shutting-down before it is terminated; 2 seconds by default.
     *
     * @param shuttingDown not negative
     * @return this builder
     */
    public Builder shuttingDownDuration(Duration shuttingDown) {
      this.shuttingDown = nonNegative("shuttingDownDuration", shuttingDown);
      return this;
    }

    /**
     * How long a new snapshot stays pending and a new image (copied, created or registered from
     * pending snapshots) stays pending; 10 seconds by default.
     *
     * @param copying not negative
     * @return this builder
     */
    public Builder copyDuration(Duration copying) {
      this.copying = nonNegative("copyDuration", copying);
      return this;
    }

    /**
     * Gives instances private addresses in {@code 127.0.0.0/8} instead of {@code 10.0.0.0/16}, so
     * whatever a test serves for an emulated instance (an encryptor's status port) is reached on
     * this machine; an address a launch asks for is used as given.
     *
     * @return this builder
     */
    public Builder loopbackAddresses() {
      this.loopback = true;
      return this;
    }

    /**
     * Registers one more image. {@value #EXAMPLE_IMAGE_ID} and a few others are always there.
     *
     * @param image the image
     * @return this builder
     */
    public Builder image(Image image) {
      extraImages.add(Objects.requireNonNull(image, "image"));
      return this;
    }

    /**
     * Binds the server and returns the running emulator.
     *
     * @return the emulator; close it when done
     */
    public Ec2Emulator start() {
      return new Ec2Emulator(this);
    }

    private static Duration nonNegative(String name, Duration value) {
      Objects.requireNonNull(value, name);
      if (value.isNegative()) {
        throw new IllegalArgumentException(name + " must not be negative, got " + value);
      }
      return value;
    }
  }
}
