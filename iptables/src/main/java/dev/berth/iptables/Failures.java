package dev.berth.iptables;

import dev.berth.iptables.IptablesException.Reason;

/**
 * Turns what a failed iptables command printed into one line that says what to do. iptables runs
 * with {@code LC_ALL=C}, so these are the messages of iptables 1.6 to 1.8 (both backends) and of
 * nsenter.
 */
final class Failures {

  private Failures() {}

  static IptablesException missing(String command) {
    if (command.equals("nft")) {
      return new IptablesException(Reason.MISSING_BINARY, "nft not found: install nftables (Debian/Ubuntu: apt-get "
          + "install nftables; Fedora/RHEL: dnf install nftables; Alpine: apk add nftables), which the bridge guard needs");
    }
    return new IptablesException(Reason.MISSING_BINARY, command + " not found: install iptables (Debian/Ubuntu: "
        + "apt-get install iptables; Fedora/RHEL: dnf install iptables-nft; Alpine: apk add iptables)"
        + (command.equals("nsenter") ? " and util-linux (nsenter)" : ""));
  }

  /** The exception for a command that exited non-zero. */
  static IptablesException of(String command, CommandRunner.Result result) {
    String err = result.stderr().strip();
    String first = oneLine(err.isEmpty() ? result.stdout().strip() : err);
    if (result.exitCode() == 127 && (err.contains("No such file or directory") || err.contains("failed to execute"))) {
      return missing(command);
    }
    if (err.contains("Permission denied") || err.contains("you must be root") || err.contains("Operation not permitted")) {
      return new IptablesException(Reason.PERMISSION_DENIED, command + " was denied (" + first + "): run as root, "
          + "e.g. sudo java -jar berth-iptables.jar ..., or give the process CAP_NET_ADMIN and CAP_NET_RAW");
    }
    if (err.contains("xtables lock")) {
      return new IptablesException(Reason.LOCKED, command + " gave up waiting for the xtables lock, which another "
          + "program holds: retry, or wait longer (--wait SECONDS)");
    }
    if (err.contains("do you need to insmod") || err.contains("Table does not exist")
        || err.contains("Could not fetch rule set generation id") || err.contains("Protocol not supported")) {
      return new IptablesException(Reason.UNSUPPORTED, command + " cannot use the kernel's tables (" + first
          + "): load the modules (modprobe iptable_nat iptable_filter, or nf_tables for the nft backend) "
          + "or choose the other backend (--backend nft|legacy)");
    }
    return new IptablesException(Reason.FAILED, command + " failed with exit code " + result.exitCode()
        + (first.isEmpty() ? "" : ": " + first));
  }

  /** What a command printed, on one line (iptables-nft-restore puts the reason on the second line). */
  static String oneLine(String text) {
    String joined = String.join("; ", text.strip().split("\\s*\\n\\s*")).replace(":;", ":");
    return joined.length() <= 300 ? joined : joined.substring(0, 297) + "...";
  }
}
