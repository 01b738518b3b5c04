package dev.berth.testing;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;

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
 *   var host = InstanceProfileCredentialsProvider.builder().endpoint(imds.endpoint().toString()).build();
 *   // ... clients using host's credentials; imds.emulator().requests(...) counts its calls
 * }
 * }</pre>
 */
public final class LoopbackHostImds implements AutoCloseable {

  static final String DISABLED = "aws.disableEc2Metadata";
  static final String ENDPOINT = "aws.ec2MetadataServiceEndpoint";

  private final MetadataEmulator emulator;
  private final String disabledBefore;
  private final String endpointBefore;

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
   * The emulator, for its request counts.
   *
   * @return the emulator
   */
  public MetadataEmulator emulator() {
    return emulator;
  }

  /** Disables the SDK's metadata service again, as before, and stops the emulator. */
  @Override
  public void close() {
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
