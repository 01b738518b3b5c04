package dev.berth.testing;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.InstanceProfileCredentialsProvider;

/**
 * A {@link MetadataEmulator} playing the host's own instance metadata service on loopback, with the
 * AWS SDK allowed to use an instance metadata service for as long as this is open: for tests of
 * the daemon's own credentials, which on EC2 come from there.
 *
 * <p>Why it is safe: every test JVM runs with {@code AWS_EC2_METADATA_DISABLED=true} and
 * {@code aws.disableEc2Metadata=true}, so no SDK looks for a metadata service at all. While this is
 * open the system property says {@code false} — and {@code aws.ec2MetadataServiceEndpoint} names
 * this emulator, so any SDK code in the JVM that looks for the service in that window, whether the
 * test's provider (which should also be given {@link #endpoint()} explicitly) or any other, reaches
 * {@code 127.0.0.1} and never {@code 169.254.169.254}. The SDK reads the system properties before
 * the environment. The emulator is checked to be on loopback before anything is changed, and
 * {@link #close()} puts both properties back as they were. Tests in a JVM run one at a time
 * (Surefire's default), so no other test sees the window.
 *
 * <pre>{@code
 * try (LoopbackHostImds imds = LoopbackHostImds.start()) {
 *   // a client signing with imds.instanceProfile(), then:
 *   assertThat(imds.credentialRequests()).isPositive();
 *   assertThat(imds.resolvedOn()).noneMatch(FastThreadLocalThread.class::isInstance);
 * }
 * }</pre>
 */
public final class LoopbackHostImds implements AutoCloseable {

  static final String DISABLED = "aws.disableEc2Metadata";
  static final String ENDPOINT = "aws.ec2MetadataServiceEndpoint";

  private final MetadataEmulator emulator;
  private final String disabledBefore;
  private final String endpointBefore;
  private final InstanceProfileCredentialsProvider instanceProfile;
  private final List<Thread> resolvedOn = new CopyOnWriteArrayList<>();

  private LoopbackHostImds(MetadataEmulator emulator) {
    this.emulator = emulator;
    URI endpoint = emulator.endpoint();
    try {
      if (!InetAddress.getByName(endpoint.getHost()).isLoopbackAddress()) {
        throw new IllegalStateException("the host metadata emulator must listen on loopback, not " + endpoint);
      }
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
    this.disabledBefore = System.getProperty(DISABLED);
    this.endpointBefore = System.getProperty(ENDPOINT);
    System.setProperty(ENDPOINT, endpoint.toString());
    System.setProperty(DISABLED, "false");
    this.instanceProfile = InstanceProfileCredentialsProvider.builder().endpoint(endpoint.toString()).build();
  }

  /**
   * Starts the emulator on {@code 127.0.0.1} and opens the window.
   *
   * @return the open window; close it when done
   */
  public static LoopbackHostImds start() {
    return new LoopbackHostImds(MetadataEmulator.start());
  }

  /**
   * The emulator's base URI, to give the SDK provider explicitly.
   *
   * @return e.g. {@code http://127.0.0.1:41234}
   */
  public URI endpoint() {
    return emulator.endpoint();
  }

  /**
   * The SDK's own {@code InstanceProfileCredentialsProvider}, given this emulator's endpoint, as the
   * default chain uses it on an EC2 host; it notes each thread that resolves through it.
   *
   * @return the provider; no static keys are involved
   */
  public AwsCredentialsProvider instanceProfile() {
    return () -> {
      resolvedOn.add(Thread.currentThread());
      return instanceProfile.resolveCredentials();
    };
  }

  /**
   * The threads that resolved through {@link #instanceProfile()}, in order.
   *
   * @return a snapshot
   */
  public List<Thread> resolvedOn() {
    return List.copyOf(resolvedOn);
  }

  /**
   * How many times the host's credentials document was asked for.
   *
   * @return requests for {@code iam/security-credentials/}{@value MetadataEmulator#HOST_ROLE_NAME}
   */
  public int credentialRequests() {
    return emulator.requests("/latest/meta-data/iam/security-credentials/" + MetadataEmulator.HOST_ROLE_NAME);
  }

  /** Disables the SDK's metadata service again, as before, and stops the emulator. */
  @Override
  public void close() {
    instanceProfile.close();
    restore(DISABLED, disabledBefore);
    restore(ENDPOINT, endpointBefore);
    emulator.close();
  }

  private static void restore(String name, String value) {
    if (value == null) {
      System.clearProperty(name);
    } else {
      System.setProperty(name, value);
    }
  }
}
