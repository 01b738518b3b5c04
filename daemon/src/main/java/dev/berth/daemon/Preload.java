package dev.berth.daemon;

import com.github.dockerjava.zerodep.shaded.org.apache.hc.client5.http.psl.PublicSuffixMatcherLoader;
import java.security.NoSuchAlgorithmException;
import javax.net.ssl.SSLContext;
import org.slf4j.LoggerFactory;

/*
 * Design notes. Measured with JFR on the start of the real daemon (bench/ready.sh), about a fifth
 * of the CPU before ready went into two one-time initialisations on the start's own thread, both
 * made by docker-java's HTTP client even for a unix socket: the JDK's default SSL context (the
 * security providers and the system trust store) and Apache HttpClient's public suffix list (a
 * 10,000-line resource, parsed). Both are process-wide singletons, initialised once under a lock,
 * so making them on a second thread while the command line is parsed and the loop is made costs
 * nothing extra: whoever asks second waits for (or finds) the same object.
 */

/** One-time initialisations that the daemon's start needs later, made on their own thread now. */
final class Preload {

  private Preload() {}

  static void start() {
    Thread thread = new Thread(Preload::run, "berth-preload");
    thread.setDaemon(true);
    thread.start();
  }

  private static void run() {
    try {
      SSLContext.getDefault();
      PublicSuffixMatcherLoader.getDefault();
    } catch (NoSuchAlgorithmException | RuntimeException e) {
      // Only a head start: the start makes them itself, and reports what fails there.
      LoggerFactory.getLogger(Preload.class).debug("preload: {}", e.toString());
    }
  }
}
