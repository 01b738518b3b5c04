package dev.berth.encryptor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.encryptor.Progress;
import org.junit.jupiter.api.Test;

final class TerminalProgressTest {

  private static final long GIB = 1024L * 1024 * 1024;

  @Test
  void bar_halfway_percentAndGiB() {
    assertThat(TerminalProgress.bar(new Progress("enc-0000000000000001", "encrypting", 4 * GIB, 8 * GIB)))
        .isEqualTo("[###############...............]  50%  4.0 of 8.0 GiB  encrypting");
  }

  @Test
  void bar_totalUnknown_questionMark() {
    assertThat(TerminalProgress.bar(new Progress("enc-0000000000000001", "initial", 0, 0)))
        .isEqualTo("[..............................]   ?%  initial");
  }
}
