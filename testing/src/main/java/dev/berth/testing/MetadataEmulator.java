package dev.berth.testing;

import io.netty.handler.codec.http.HttpHeaderNames;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.reactivestreams.Publisher;
import reactor.netty.http.server.HttpServerResponse;

/**
 * A stand-in for the real EC2 instance metadata service (IMDS), on loopback, to sit upstream
 * of the metadata proxy in tests.
 *
 * <p>It serves IMDSv2 tokens ({@code PUT /latest/api/token}), the usual {@code meta-data} leaves
 * and listings, {@code user-data}, the instance identity document, and the host's own instance
 * credentials under {@code iam/security-credentials/} (and {@code -extended/}). Those host
 * credentials are marked unmistakably ({@link #HOST_ACCESS_KEY_ID} and every other secret
 * contain {@link #HOST_MARKER}), so a test can prove that a proxy never hands them to a
 * container; {@link #requestsUnder(String)} proves the proxy never even asked. Every response
 * carries {@code Server: EC2ws}; unknown paths answer 404 in plain text.
 *
 * <p>It counts requests per path and per header, and TCP connections accepted, so a test can
 * prove that a proxy reuses keep-alive connections.
 *
 * <pre>{@code
 * try (MetadataEmulator imds = MetadataEmulator.builder().requireToken(true).start()) {
 *   // point the proxy's upstream at imds.endpoint(), send it traffic, then:
 *   assertThat(imds.requestsUnder("/latest/meta-data/iam/")).isZero();
 *   assertThat(imds.connections()).isEqualTo(1);
 * }
 * }</pre>
 */
public final class MetadataEmulator implements AutoCloseable {

  /** The name of the host's instance role, listed under {@code iam/security-credentials/}. */
  public static final String HOST_ROLE_NAME = "host-role";
  /** The text every secret of the host's own credentials contains: {@value}. */
  public static final String HOST_MARKER = "HOSTROLE";
  /** The access key id of the host's own instance credentials: {@value}. */
  public static final String HOST_ACCESS_KEY_ID = "ASIA" + HOST_MARKER + "00000000";
  /** The secret access key of the host's own instance credentials. */
  public static final String HOST_SECRET_ACCESS_KEY = HOST_MARKER + "SecretNeverForwardedToAContainer";
  /** The session token of the host's own instance credentials. */
  public static final String HOST_SESSION_TOKEN = HOST_MARKER + "SessionTokenOfTheInstanceItselfNeverForwardedToAContainer";

  private final MetadataHandler handler;
  private final InstanceIdentity instance;
  private final RequestLog log = new RequestLog();
  private final EmulatorServer server;

  private MetadataEmulator(Builder builder) {
    this.instance = new InstanceIdentity(builder.instanceId, builder.region,
        builder.availabilityZone != null ? builder.availabilityZone : builder.region + "a",
        builder.accountId, builder.localIpv4, builder.instanceType, builder.imageId);
    this.handler = new MetadataHandler(new MetadataTree(instance, builder.userData), builder.clock, builder.requireToken);
    this.server = EmulatorServer.bindRecording(builder, log, this::serve);
  }

  /**
   * Starts an emulator on {@code 127.0.0.1} and a free port with default instance settings,
   * IMDSv2 optional.
   *
   * @return the running emulator; close it when done
   */
  public static MetadataEmulator start() {
    return builder().start();
  }

  /**
   * A builder for an emulator with chosen instance settings, token policy, clock or address.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The base URI to use in place of {@code http://169.254.169.254}.
   *
   * @return e.g. {@code http://127.0.0.1:41234}
   */
  public URI endpoint() {
    return server.endpoint();
  }

  /**
   * What this instance reports about itself.
   *
   * @return the instance's identity
   */
  public InstanceIdentity instance() {
    return instance;
  }

  /**
   * Switches IMDSv2 enforcement for later requests: when required, a request without a valid
   * {@code X-aws-ec2-metadata-token} answers 401.
   *
   * @param required whether a session token is required
   */
  public void requireToken(boolean required) {
    handler.requireToken(required);
  }

  /**
   * How many requests arrived, on any path.
   *
   * @return the count since start or the last {@link #reset()}
   */
  public int requests() {
    return log.requests();
  }

  /**
   * How many requests arrived for exactly {@code path} (query excluded).
   *
   * @param path e.g. {@code /latest/meta-data/instance-id}
   * @return the count since start or the last {@link #reset()}
   */
  public int requests(String path) {
    return log.requests(Objects.requireNonNull(path, "path"));
  }

  /**
   * How many requests arrived for {@code pathPrefix} or any path below it.
   *
   * @param pathPrefix e.g. {@code /latest/meta-data/iam/}
   * @return the count since start or the last {@link #reset()}
   */
  public int requestsUnder(String pathPrefix) {
    return log.requestsUnder(Objects.requireNonNull(pathPrefix, "pathPrefix"));
  }

  /**
   * How many requests carried a header named {@code name}, whatever its value.
   *
   * @param name e.g. {@code X-Forwarded-For}; any case
   * @return the count since start or the last {@link #reset()}
   */
  public int requestsWithHeader(String name) {
    return log.requestsWithHeader(Objects.requireNonNull(name, "name"));
  }

  /**
   * How many TCP connections the server accepted. A client that reuses keep-alive
   * connections makes many requests over few connections.
   *
   * @return the count since start or the last {@link #reset()}
   */
  public int connections() {
    return log.connections();
  }

  /**
   * The most recent request.
   *
   * @return the request, or empty if none arrived since start or the last {@link #reset()}
   */
  public Optional<RecordedRequest> lastRequest() {
    return log.last();
  }

  /**
   * Every request, oldest first.
   *
   * @return an immutable snapshot since start or the last {@link #reset()}
   */
  public List<RecordedRequest> recordedRequests() {
    return log.recorded();
  }

  /** Forgets every count and recorded request. Tokens already issued stay valid. */
  public void reset() {
    log.reset();
  }

  /** Stops the server and waits for it to release its port. */
  @Override
  public void close() {
    server.close();
  }

  @Override
  public String toString() {
    return "MetadataEmulator[" + endpoint() + "]";
  }

  private Publisher<Void> serve(String path, RecordedRequest request, HttpServerResponse response) {
    MetadataAnswer answer = handler.answer(request.method(), path, request);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put(HttpHeaderNames.SERVER.toString(), "EC2ws");
    headers.putAll(answer.headers());
    return EmulatorServer.send(response, answer.status(), answer.contentType(), headers, answer.body());
  }

  /** Settings for a new {@link MetadataEmulator}; the instance's settings are checked at {@link #start()}. */
  public static final class Builder extends EmulatorBuilder<Builder> {

    private Clock clock = Clock.systemUTC();
    private boolean requireToken;
    private String instanceId = "i-0123456789abcdef0";
    private String region = "us-east-1";
    private String availabilityZone;
    private String accountId = StsEmulator.DEFAULT_ACCOUNT_ID;
    private String localIpv4 = "172.31.16.10";
    private String instanceType = "t3.micro";
    private String imageId = "ami-0123456789abcdef0";
    private byte[] userData = "#!/bin/sh\necho 'user data from the berth metadata emulator'\n".getBytes(StandardCharsets.UTF_8);

    private Builder() {}

    /**
     * The clock that times token expiry and stamps credentials documents; the system UTC clock
     * by default. Pass a {@link ManualClock} to test token expiry.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Whether IMDSv2 is required (401 without a valid token); optional by default.
     *
     * @param required whether a session token is required
     * @return this builder
     */
    public Builder requireToken(boolean required) {
      this.requireToken = required;
      return this;
    }

    /**
     * The instance id, {@code i-0123456789abcdef0} by default.
     *
     * @param instanceId {@code i-} and 8 or 17 hex digits
     * @return this builder
     */
    public Builder instanceId(String instanceId) {
      this.instanceId = Objects.requireNonNull(instanceId, "instanceId");
      return this;
    }

    /**
     * The region, {@code us-east-1} by default; the availability zone follows it unless set.
     *
     * @param region e.g. {@code eu-west-1}
     * @return this builder
     */
    public Builder region(String region) {
      this.region = Objects.requireNonNull(region, "region");
      return this;
    }

    /**
     * The availability zone, the region plus {@code a} by default.
     *
     * @param availabilityZone e.g. {@code eu-west-1b}
     * @return this builder
     */
    public Builder availabilityZone(String availabilityZone) {
      this.availabilityZone = Objects.requireNonNull(availabilityZone, "availabilityZone");
      return this;
    }

    /**
     * The instance's account, {@value StsEmulator#DEFAULT_ACCOUNT_ID} by default.
     *
     * @param accountId twelve digits
     * @return this builder
     */
    public Builder accountId(String accountId) {
      this.accountId = Objects.requireNonNull(accountId, "accountId");
      return this;
    }

    /**
     * The private IPv4 address reported, {@code 172.31.16.10} by default. Only reported, never used.
     *
     * @param localIpv4 a dotted IPv4 address
     * @return this builder
     */
    public Builder localIpv4(String localIpv4) {
      this.localIpv4 = Objects.requireNonNull(localIpv4, "localIpv4");
      return this;
    }

    /**
     * The instance type, {@code t3.micro} by default.
     *
     * @param instanceType e.g. {@code m7i.large}
     * @return this builder
     */
    public Builder instanceType(String instanceType) {
      this.instanceType = Objects.requireNonNull(instanceType, "instanceType");
      return this;
    }

    /**
     * The AMI id, {@code ami-0123456789abcdef0} by default.
     *
     * @param imageId {@code ami-} and 8 or 17 hex digits
     * @return this builder
     */
    public Builder imageId(String imageId) {
      this.imageId = Objects.requireNonNull(imageId, "imageId");
      return this;
    }

    /**
     * The bytes {@code /latest/user-data} serves, a short shell script by default. Empty
     * means the instance has no user data, and the path answers 404 as on a real instance.
     *
     * @param userData any bytes; copied
     * @return this builder
     */
    public Builder userData(byte[] userData) {
      this.userData = Objects.requireNonNull(userData, "userData").clone();
      return this;
    }

    /**
     * Binds the server and returns the running emulator.
     *
     * @return the emulator; close it when done
     * @throws IllegalArgumentException if an instance setting has the wrong shape
     */
    public MetadataEmulator start() {
      return new MetadataEmulator(this);
    }
  }
}
