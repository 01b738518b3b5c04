package dev.berth.encryptor;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * One run of the encryptor: the id every resource it creates is tagged with, and the process and
 * host that ran it, so that a run whose process is gone can be recognised as stale and cleaned up.
 *
 * <pre>{@code
 * Session session = Session.create();          // blocking: resolves the host name
 * System.err.println("session " + session.id());
 * }</pre>
 *
 * @param id {@code enc-} and 16 lower-case hex digits
 * @param pid the process that runs it
 * @param processStart when that process started (tells a reused pid apart), or {@code null} if unknown
 * @param host the host name of the machine it runs on
 * @param started when the run started
 */
public record Session(String id, long pid, Instant processStart, String host, Instant started) {

  private static final Pattern ID = Pattern.compile("enc-[0-9a-f]{16}");

  /**
   * Checks the id's shape.
   *
   * @param id the session id
   * @param pid the process id
   * @param processStart the process start, or {@code null}
   * @param host the host name
   * @param started the start of the run
   */
  public Session {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(started, "started");
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException("a session id is enc- and 16 hex digits, got '" + id + "'");
    }
  }

  /**
   * Whether {@code text} has the shape of a session id.
   *
   * @param text e.g. {@code enc-3f2a9c0d1b4e5f60}
   * @return true if it does
   */
  public static boolean isId(String text) {
    return text != null && ID.matcher(text).matches();
  }

  /**
   * A new session for this process. Blocking (it resolves the host name): call it off any event loop.
   *
   * @return the session
   */
  public static Session create() {
    // ThreadLocalRandom, not SecureRandom: the id must be unique, not secret, and SecureRandom may
    // block reading /dev/urandom.
    String id = String.format(Locale.ROOT, "enc-%016x", ThreadLocalRandom.current().nextLong());
    ProcessHandle self = ProcessHandle.current();
    return new Session(id, self.pid(), self.info().startInstant().orElse(null), hostName(), Instant.now());
  }

  /**
   * This machine's host name, as a session records it.
   *
   * @return the host name, or {@code localhost} if it cannot be found
   */
  public static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }
}
