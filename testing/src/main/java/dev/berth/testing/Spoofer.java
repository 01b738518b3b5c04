package dev.berth.testing;

import dev.berth.testing.DockerLab.ExecResult;
import dev.berth.testing.DockerLab.RunningContainer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Objects;

/**
 * An attacker inside a lab container: forges a neighbour's address on the bridge (ARP, MAC or
 * IPv6 neighbour spoofing) with raw frames built by scapy (Debian's {@code python3-scapy}, run
 * through {@code chroot /host}), completes a TCP handshake to a server as that neighbour, and
 * returns what the server answered. The container needs nothing beyond Docker's default
 * capabilities ({@code NET_RAW}) and the host root mount ({@link DockerLab.ContainerSpec#withHostRoot()}).
 * Every frame goes to the lab bridge's own addresses.
 *
 * <pre>{@code
 * String answer = Spoofer.of(lab).attack(attacker, Spoofer.Mode.ARP, victimIp, victimMac,
 *     gatewayIp, gatewayMac, 18000, "/latest/meta-data/iam/security-credentials/role");
 * }</pre>
 */
public final class Spoofer {

  /** What the server answered when nothing came back. */
  public static final String NO_ANSWER = "NO-ANSWER";

  /** How the attacker claims the victim's address. */
  public enum Mode {
    /** Unsolicited ARP replies: the victim's IPv4 address is at the attacker's MAC. */
    ARP,
    /** Frames with the victim's own MAC as source, so the bridge moves that MAC to the attacker's port. */
    MAC,
    /** Unsolicited IPv6 neighbour advertisements: the victim's IPv6 address is at the attacker's MAC. */
    ND
  }

  private final DockerLab lab;
  private final Path script;

  private Spoofer(DockerLab lab, Path script) {
    this.lab = lab;
    this.script = script;
  }

  /** An attacker for {@code lab}; writes the script where containers with the host root mount see it. */
  public static Spoofer of(DockerLab lab) {
    try (InputStream in = Spoofer.class.getResourceAsStream("spoof.py")) {
      Path file = Files.createTempFile("berth-spoof", ".py",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
      Files.write(file, Objects.requireNonNull(in, "spoof.py").readAllBytes());
      file.toFile().deleteOnExit();
      return new Spoofer(lab, file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Runs the attack from {@code attacker} and returns the raw HTTP answer the server sent to the
   * forged address, or {@link #NO_ANSWER}.
   */
  public String attack(RunningContainer attacker, Mode mode, String victimIp, String victimMac, String serverIp,
      String serverMac, int port, String path) {
    ExecResult result = lab.exec(attacker, Duration.ofSeconds(30), "chroot", DockerLab.HOST_ROOT, "/usr/bin/python3",
        script.toString(), mode.name().toLowerCase(java.util.Locale.ROOT), victimIp, victimMac, serverIp, serverMac,
        Integer.toString(port), path);
    if (!result.succeeded()) {
      throw new IllegalStateException("the spoofing script failed (exit " + result.exitCode() + "): " + result.stderr()
          + " — is python3-scapy installed?");
    }
    return result.stdout().strip();
  }
}
