package dev.berth.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The application's log lines as an operator reads them: the daemon's process (started as
 * berth-proxy.jar starts it, from this build's classes) and a process logging through the
 * libraries' own loggers, each with stdout and stderr read together.
 */
final class ApplicationLoggingTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(60);
  /** Berth's text line: ISO time with its offset, level, the logger's short name, the message. */
  private static final String TEXT_LINE = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d(:?\\d\\d)?) ";

  @Test
  void daemonWithJsonFormat_everyLineIsOneJsonObjectWithTheFields() throws Exception {
    Process daemon = start(Main.class, "--local", "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0",
        "--log-format", "json");
    BlockingQueue<String> output = read(daemon);
    List<String> lines = new ArrayList<>();
    try {
      awaitLine(output, lines, line -> line.contains("Berth proxy listening on"));
    } finally {
      daemon.destroy(); // SIGTERM: the stop's lines are checked too
    }
    assertThat(daemon.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("the daemon stops on SIGTERM").isTrue();
    drain(daemon, output, lines);

    assertThat(lines).as("the daemon's output").hasSizeGreaterThan(1);
    for (String line : lines) {
      JsonNode event = parse(line);
      assertThat(event.path("timestamp").isNumber()).as("timestamp of %s", line).isTrue();
      assertThat(event.path("level").asText()).as("level of %s", line).isIn("ERROR", "WARN", "INFO", "DEBUG", "TRACE");
      assertThat(event.path("loggerName").asText()).as("loggerName of %s", line).isNotBlank();
      assertThat(event.path("formattedMessage").isTextual()).as("formattedMessage of %s", line).isTrue();
    }
    assertThat(lines).anySatisfy(line ->
        assertThat(parse(line).path("loggerName").asText()).startsWith("dev.berth."));
  }

  @Test
  void libraryLinesInTextFormat_lookLikeBerthsOwnAtTheirConfiguredLevels() throws Exception {
    List<String> lines = run(ThirdPartyLines.class, "text");

    assertThat(lines).anyMatch(Pattern.compile(TEXT_LINE + "INFO Berth - a line of Berth's own").asMatchPredicate());
    assertThat(lines).anyMatch(Pattern.compile(TEXT_LINE + "WARN request - aws sdk warning").asMatchPredicate());
    assertThat(lines).anyMatch(Pattern.compile(TEXT_LINE + "WARN BoundedLocalCache - caffeine warning").asMatchPredicate());
    assertThat(lines).anyMatch(Pattern.compile(TEXT_LINE + "INFO prefs - jdk info").asMatchPredicate());
    assertThat(lines).anyMatch(Pattern.compile(TEXT_LINE + "ERROR ServerTransport - reactor netty error").asMatchPredicate());
    assertThat(lines).as("the stack trace follows its line").contains("java.lang.IllegalStateException: boom");
    assertThat(lines).noneMatch(line -> line.contains("below its level"));
  }

  @Test
  void libraryLinesInJsonFormat_areJsonToo() throws Exception {
    List<String> lines = run(ThirdPartyLines.class, "json");

    List<JsonNode> events = lines.stream().map(ApplicationLoggingTest::parse).toList();
    assertThat(events).extracting(e -> e.path("loggerName").asText() + " " + e.path("level").asText())
        .containsExactly("dev.berth.daemon.Berth INFO", "software.amazon.awssdk.request WARN",
            "com.github.benmanes.caffeine.cache.BoundedLocalCache WARN", "java.util.prefs INFO",
            "reactor.netty.transport.ServerTransport ERROR");
    assertThat(events.get(2).path("formattedMessage").asText()).isEqualTo("caffeine warning");
    assertThat(events.get(4).path("throwable").path("className").asText()).isEqualTo("java.lang.IllegalStateException");
    assertThat(events.get(4).path("throwable").path("message").asText()).isEqualTo("boom");
  }

  @Test
  void unknownLogFormat_refusedNamingTheOption() {
    var line = DaemonCommand.commandLine();
    var err = new java.io.StringWriter();
    line.setErr(new java.io.PrintWriter(err));
    assertThat(line.execute("--local", "--log-format", "xml")).isEqualTo(2);
    assertThat(err.toString()).startsWith("berth-proxy: --log-format 'xml' must be one of text, json");
  }

  private static JsonNode parse(String line) {
    try {
      JsonNode node = JSON.readTree(line);
      assertThat(node.isObject()).as("a JSON object: %s", line).isTrue();
      return node;
    } catch (IOException e) {
      throw new AssertionError("not a JSON line: " + line, e);
    }
  }

  private static List<String> run(Class<?> main, String... args) throws Exception {
    Process process = start(main, args);
    BlockingQueue<String> output = read(process);
    assertThat(process.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("%s ends", main.getSimpleName()).isTrue();
    List<String> lines = new ArrayList<>();
    drain(process, output, lines);
    assertThat(process.exitValue()).as("exit status; output:%n%s", String.join("\n", lines)).isZero();
    return lines;
  }

  private static Process start(Class<?> main, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:-UsePerfData", "-cp", System.getProperty("java.class.path"), main.getName()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true).start();
  }

  /** The process's output, line by line, until it closes; the end is marked by an empty queue and a dead reader. */
  private static BlockingQueue<String> read(Process process) {
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          lines.add(line);
        }
      } catch (IOException closed) {
        // The process ended.
      } finally {
        lines.add(END);
      }
    }, "process-output");
    reader.setDaemon(true);
    reader.start();
    return lines;
  }

  private static final String END = new String("end of output");

  private static void awaitLine(BlockingQueue<String> output, List<String> seen, Predicate<String> wanted)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() - deadline < 0) {
      String line = output.poll(1, TimeUnit.SECONDS);
      if (line == END) {
        break;
      }
      if (line != null) {
        seen.add(line);
        if (wanted.test(line)) {
          return;
        }
      }
    }
    throw new AssertionError("no such line within " + WAIT + "; the output:\n" + String.join("\n", seen));
  }

  /** Everything left once the process has ended (its output then closes). */
  private static void drain(Process process, BlockingQueue<String> output, List<String> seen) throws InterruptedException {
    while (true) {
      String line = output.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      if (line == null || line == END) {
        return;
      }
      seen.add(line);
    }
  }
}
