package dev.berth.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ProxyCommandTest {

  private static ProxyConfig parse(String... args) {
    var line = ProxyCommand.commandLine();
    line.parseArgs(args);
    return line.<ProxyCommand>getCommand().toConfig();
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
}
