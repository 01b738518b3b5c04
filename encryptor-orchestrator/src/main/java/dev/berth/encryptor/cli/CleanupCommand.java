package dev.berth.encryptor.cli;

import dev.berth.encryptor.CleanupReport;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code cleanup SESSION | --all-stale}: finishes the cleanup of runs that did not. */
@Command(name = "cleanup", mixinStandardHelpOptions = true, usageHelpWidth = 110,
    description = {"Deletes what a run created and did not keep: by its journal in --state-dir and by its session tag.",
        "Prints each deleted id on standard output; what could not be deleted goes to standard error (exit 1).", ""})
final class CleanupCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger("berth-encryptor");

  @Spec
  CommandSpec command;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Target target;

  @Mixin
  Ec2Options ec2;

  static final class Target {
    @Parameters(paramLabel = "SESSION", description = "The session id a run printed first (enc-...).")
    String session;

    @Option(names = "--all-stale", required = true,
        description = "Every unfinished run in --state-dir whose process is gone from this host.")
    boolean allStale;
  }

  @Override
  public Integer call() {
    try (Ec2Options.Opened opened = ec2.open()) {
      List<CleanupReport> reports = target.allStale
          ? opened.encryptor().cleanupStale().collectList().block()
          : List.of(opened.encryptor().cleanup(target.session).block());
      boolean clean = true;
      for (CleanupReport report : reports) {
        report.deleted().forEach(command.commandLine().getOut()::println);
        for (CleanupReport.Leftover left : report.leftovers()) {
          command.commandLine().getErr().println("berth-encryptor: " + report.sessionId() + ": could not delete "
              + left.id() + ": " + left.reason());
          clean = false;
        }
        LOG.info("session {}: {} deleted, {} left", report.sessionId(), report.deleted().size(), report.leftovers().size());
      }
      if (target.allStale && reports.isEmpty()) {
        LOG.info("no stale sessions in {}", ec2.stateDir);
      }
      return clean ? 0 : 1;
    }
  }
}
