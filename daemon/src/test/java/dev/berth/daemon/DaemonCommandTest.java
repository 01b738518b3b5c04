package dev.berth.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.proxy.ProxyConfig;
import dev.berth.testing.HelpTexts;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DaemonCommandTest {

  private static ProxyConfig parse(String... args) {
    var line = DaemonCommand.commandLine();
    line.parseArgs(args);
    return line.<DaemonCommand>getCommand().toConfig();
  }

  @Test
  void help_noParagraphCutMidSentence_andTheExampleNamesTheAwsCliV2() {
    var out = new java.io.StringWriter();
    var line = DaemonCommand.commandLine();
    line.setOut(new java.io.PrintWriter(out));
    assertThat(line.execute("--help")).isZero();

    assertThat(HelpTexts.unfinishedParagraphs(DaemonCommand.commandLine())).isEmpty();
    assertThat(out.toString()).contains("--log-format").contains(" /usr/bin/aws configure export-credentials");
  }

  @Test
  void upstreamCache_defaultsToOneSecond() {
    assertThat(parse().upstreamCache()).isEqualTo(Duration.ofSeconds(1));
  }

  @ParameterizedTest
  @CsvSource({"0, 0", "500ms, 500", "2s, 2000", "1m, 60000"})
  void upstreamCache_acceptsDurations(String value, long millis) {
    assertThat(parse("--upstream-cache", value).upstreamCache()).isEqualTo(Duration.ofMillis(millis));
  }

  @ParameterizedTest
  @ValueSource(strings = {"2m", "61s", "soon", "-1s", "10"})
  void upstreamCache_badValue_oneLineNamingTheOption(String value) {
    assertThatThrownBy(() -> parse("--upstream-cache", value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("--upstream-cache")
        .hasMessageNotContaining("\n");
  }

  @Test
  void ioThreads_defaultsToOneLoop() {
    assertThat(parse().ioThreads()).isEqualTo(1);
    assertThat(parse("--io-threads", "4").ioThreads()).isEqualTo(4);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "65"})
  void ioThreads_outOfRange_oneLineNamingTheOption(String value) {
    assertThatThrownBy(() -> parse("--io-threads", value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("--io-threads must be 1..64");
  }

  @Test
  void sessionDuration_badValue_namesTheOption() {
    assertThatThrownBy(() -> parse("--session-duration", "1 day"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("--session-duration '1 day'");
  }

  @Test
  void callerLimits_defaultsAndFlags() {
    assertThat(parse().maxConnectionsPerCaller()).isEqualTo(ProxyConfig.DEFAULT_MAX_CONNECTIONS_PER_CALLER);
    assertThat(parse().maxForwardedPerCaller()).isEqualTo(ProxyConfig.DEFAULT_MAX_FORWARDED_PER_CALLER);
    ProxyConfig set = parse("--max-connections-per-caller", "8", "--max-forwarded-per-caller", "3");
    assertThat(set.maxConnectionsPerCaller()).isEqualTo(8);
    assertThat(set.maxForwardedPerCaller()).isEqualTo(3);
  }

  @ParameterizedTest
  @ValueSource(strings = {"--max-connections-per-caller", "--max-forwarded-per-caller"})
  void callerLimits_zero_oneLineNamingTheOption(String option) {
    assertThatThrownBy(() -> parse(option, "0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(option + " must be at least 1")
        .hasMessageNotContaining("\n");
  }

  @Test
  void packetsPerCaller_negative_oneLineNamingTheOption() {
    assertThatThrownBy(() -> parse("--max-packets-per-caller", "-1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("--max-packets-per-caller -1 is negative")
        .hasMessageNotContaining("\n");
  }
}
