package dev.berth.iptables;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.iptables.CommandRunner.Result;
import dev.berth.iptables.IptablesException.Reason;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The messages are the ones iptables 1.8.9 printed in a namespace of the lab, as root and as nobody. */
final class FailuresTest {

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "4|iptables-nft-save v1.8.9 (nf_tables): Could not fetch rule set generation id: Permission denied (you must be root)|PERMISSION_DENIED",
      "1|Fatal: can't open lock file /run/xtables.lock: Permission denied|PERMISSION_DENIED",
      "4|Failed to list table names in /proc/net/ip_tables_names: Permission denied|PERMISSION_DENIED",
      "4|Another app is currently holding the xtables lock. Stopped waiting after 10s.|LOCKED",
      "3|iptables-restore v1.6.1: can't initialize iptables table `nat': Table does not exist (do you need to insmod?)|UNSUPPORTED",
      "4|iptables-nft-restore v1.8.9 (nf_tables): Could not fetch rule set generation id: Invalid argument|UNSUPPORTED",
      "127|nsenter: failed to execute iptables-save: No such file or directory|MISSING_BINARY",
      "1|iptables-restore: line 2 failed|FAILED"})
  void of_classifies(int exit, String stderr, Reason reason) {
    IptablesException e = Failures.of("iptables-restore", new Result(exit, "", stderr + "\n"));
    assertThat(e.reason()).isEqualTo(reason);
    assertThat(e.getMessage()).doesNotContain("\n").startsWith(
        reason == Reason.MISSING_BINARY ? "iptables-restore not found: install iptables" : "iptables-restore ");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "'iptables-nft-restore v1.8.9 (nf_tables): \nline 3: CHAIN_DEL failed (Device or resource busy): chain BERTH-PREROUTING\n'"
          + "|iptables-nft-restore v1.8.9 (nf_tables): line 3: CHAIN_DEL failed (Device or resource busy): chain BERTH-PREROUTING"})
  void of_multiLineReason_joinedOnOneLine(String stderr, String line) {
    assertThat(Failures.of("iptables-nft-restore", new Result(4, "", stderr)).getMessage())
        .isEqualTo("iptables-nft-restore failed with exit code 4: " + line);
  }
}
