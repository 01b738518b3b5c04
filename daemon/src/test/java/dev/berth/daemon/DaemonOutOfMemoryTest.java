package dev.berth.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Out of memory ends the daemon, however its JVM was started: the daemon's main class run with a
 * heap far too small for what a flood of connections makes it hold, and none of the launcher's
 * JVM flags (no -XX:+ExitOnOutOfMemoryError). A process that lives on after an
 * OutOfMemoryError keeps its port open and answers nothing; one that exits is restarted by its
 * supervisor, and with --iptables its containers meanwhile get "connection refused".
 */
final class DaemonOutOfMemoryTest {

  /** Bounds on the flood: far more than a 24 MiB heap holds, far fewer than the file descriptors allowed. */
  private static final int MOST_CONNECTIONS = 15_000;
  private static final Duration MOST_FLOOD_TIME = Duration.ofSeconds(90);
  private static final Duration EXIT_WAIT = Duration.ofSeconds(60);
  private static final Pattern LISTENING = Pattern.compile("Berth proxy listening on /127\\.0\\.0\\.1:(\\d+)");

  @Test
  void connectionFloodPastTheHeap_processExitsNonZero() throws Exception {
    Process daemon = new ProcessBuilder(javaCommand()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    BlockingQueue<String> log = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> readLines(daemon, log), "daemon-stderr");
    reader.setDaemon(true);
    reader.start();
    List<Socket> flood = new ArrayList<>();
    List<String> seen = new ArrayList<>();
    try {
      int port = awaitPort(log, seen);
      // A request cut short in its headers: the proxy holds each connection and what it read of it.
      byte[] partial = ("GET /latest/meta-data/instance-id HTTP/1.1\r\nHost: x\r\nX-Pad: " + "p".repeat(3_000))
          .getBytes(StandardCharsets.ISO_8859_1);
      long floodEnds = System.nanoTime() + MOST_FLOOD_TIME.toNanos();
      while (daemon.isAlive() && flood.size() < MOST_CONNECTIONS && System.nanoTime() - floodEnds < 0) {
        Socket socket = new Socket();
        flood.add(socket);
        try {
          socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
          socket.getOutputStream().write(partial);
        } catch (IOException refusedOrReset) {
          // The daemon is going away, or already gone.
          break;
        }
      }

      boolean exited = daemon.waitFor(EXIT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      log.drainTo(seen);
      assertThat(exited).as("the daemon exits after %d connections; its log:%n%s", flood.size(), tail(seen)).isTrue();
      assertThat(daemon.exitValue()).as("exit status").isNotZero();
      assertThat(seen).as("its last words").anyMatch(line -> line.contains("OutOfMemoryError"));
    } finally {
      for (Socket socket : flood) {
        socket.close();
      }
      daemon.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** The daemon as {@code java -jar} runs it, from this build's classes, with a tiny heap and no other flags. */
  private static List<String> javaCommand() {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return List.of(java, "-Xmx24m", "-XX:-UsePerfData",
        "-cp", System.getProperty("java.class.path"),
        Main.class.getName(),
        "--local", "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0",
        // One caller here plays the whole flood: the per-caller limit must not stop it first.
        "--max-connections", "100000", "--max-connections-per-caller", "100000");
  }

  private static int awaitPort(BlockingQueue<String> log, List<String> seen) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() - deadline < 0) {
      String line = log.poll(1, TimeUnit.SECONDS);
      if (line != null) {
        seen.add(line);
        Matcher listening = LISTENING.matcher(line);
        if (listening.find()) {
          return Integer.parseInt(listening.group(1));
        }
      }
    }
    throw new AssertionError("the daemon did not start listening within 60 s; its log:\n" + tail(seen));
  }

  private static void readLines(Process daemon, BlockingQueue<String> log) {
    try (BufferedReader err = new BufferedReader(new InputStreamReader(daemon.getErrorStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = err.readLine()) != null; ) {
        log.add(line);
      }
    } catch (IOException closed) {
      // The daemon ended.
    }
  }

  private static String tail(List<String> lines) {
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }
}
