package dev.berth.iptables.cli;

import dev.berth.iptables.IptablesException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code berth-iptables}: the subcommands; errors are one line on stderr and exit code 2. */
@Command(
    name = "berth-iptables",
    mixinStandardHelpOptions = true,
    version = "berth-iptables 0.1.0",
    sortOptions = false,
    usageHelpWidth = 110,
    subcommands = {InstallCommand.class, RemoveCommand.class, CheckCommand.class, ShowCommand.class,
        CommandLine.HelpCommand.class},
    description = {
        "Owns the packet rules that make the Berth proxy transparent: tcp to 169.254.169.254:80 (and "
            + "[fd00:ec2::254]:80) arriving on a bridge is steered to the proxy, and the proxy's port is dropped on "
            + "every other interface. The rules live in Berth's own chains, BERTH-PREROUTING (nat, jumped to from "
            + "PREROUTING) and BERTH-INPUT (filter, jumped to first from INPUT), so `remove` leaves nothing behind.",
        "The daemon (berth-proxy --iptables) also keeps the bridge guard, nftables table `bridge berth`, which binds "
            + "each container's bridge port to its MAC and addresses; show, check --bridge-guard and remove cover it.",
        "Every option may also be set by the environment variable shown in brackets. Needs root.",
        ""},
    footer = {"", "Exit codes: 0 done (check: in sync), 1 check found drift, 2 error.",
        "", "Examples:",
        "  java -jar berth-iptables.jar install --proxy-address 172.17.0.1 --proxy-port 18000",
        "  java -jar berth-iptables.jar install --mode redirect -i docker0 -i br-3f2a9c1d7e4b",
        "  java -jar berth-iptables.jar check --proxy-address 172.17.0.1; echo $?",
        "  java -jar berth-iptables.jar remove"})
final class BerthIptablesCommand implements Callable<Integer> {

  /** Exit code for every error. */
  static final int ERROR = 2;

  final Parts parts;

  @Spec
  CommandSpec spec;

  BerthIptablesCommand(Parts parts) {
    this.parts = parts;
  }

  static CommandLine commandLine(Parts parts) {
    CommandLine line = new CommandLine(new BerthIptablesCommand(parts));
    line.setCaseInsensitiveEnumValuesAllowed(true);
    line.setExecutionExceptionHandler((error, cmd, parsed) -> {
      if (error instanceof IllegalArgumentException || error instanceof IptablesException) {
        cmd.getErr().println("berth-iptables: " + error.getMessage());
        return ERROR;
      }
      throw error;
    });
    line.setParameterExceptionHandler((error, args) -> {
      CommandLine cmd = error.getCommandLine();
      cmd.getErr().println("berth-iptables: " + error.getMessage() + " (see " + cmd.getCommandSpec().qualifiedName()
          + " --help)");
      return ERROR;
    });
    return line;
  }

  @Override
  public Integer call() {
    spec.commandLine().getErr().println("berth-iptables: name a command: install, remove, check or show (see --help)");
    return ERROR;
  }
}
