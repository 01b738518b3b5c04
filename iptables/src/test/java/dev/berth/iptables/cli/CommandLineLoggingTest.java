package dev.berth.iptables.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * berth-iptables.jar's log lines as an operator reads them: a process set up as {@link Main}
 * sets itself up, logging through the libraries' own loggers (Reactor Netty through SLF4J, the
 * JDK through java.util.logging) and Berth's.
 */
final class CommandLineLoggingTest {

  private static final String TEXT_LINE = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d(:?\\d\\d)?) ";

  /** The process: Main's logging set-up, then one line of each kind. */
  public static void main(String[] args) {
    Main.configureLogging();
    LoggerFactory.getLogger("dev.berth.iptables.Iptables").info("a line of Berth's own");
    LoggerFactory.getLogger("reactor.netty.transport.TransportConnector").info("reactor netty info, below its level");
    LoggerFactory.getLogger("reactor.netty.transport.TransportConnector").warn("reactor netty warning");
    java.util.logging.Logger.getLogger("java.util.prefs").fine("jdk fine, below its level");
    java.util.logging.Logger.getLogger("java.util.prefs").warning("jdk warning");
  }

  @Test
  void libraryLines_lookLikeBerthsOwn_atTheirLevels() throws IOException, InterruptedException {
    Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:-UsePerfData", "-cp", System.getProperty("java.class.path"), CommandLineLoggingTest.class.getName())
        .redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    List<String> lines = output.lines().toList();

    assertThat(lines).as(output).hasSize(3);
    assertThat(lines.get(0)).matches(Pattern.compile(TEXT_LINE + "INFO Iptables - a line of Berth's own"));
    assertThat(lines.get(1)).matches(Pattern.compile(TEXT_LINE + "WARN TransportConnector - reactor netty warning"));
    assertThat(lines.get(2)).matches(Pattern.compile(TEXT_LINE + "WARN prefs - jdk warning"));
  }
}
