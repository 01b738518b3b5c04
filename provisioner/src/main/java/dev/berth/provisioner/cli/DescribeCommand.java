package dev.berth.provisioner.cli;

import dev.berth.provisioner.Provisioner;
import dev.berth.provisioner.controller.GroupStatus;
import dev.berth.provisioner.store.Problem;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code describe [GROUP]}: desired and actual counts, and why a group has not converged. */
@Command(name = "describe", mixinStandardHelpOptions = true, usageHelpWidth = 110,
    description = {"Shows each committed group: desired, running, pending and out-of-date instances, and its status.",
        "The status is converged, converging (what is left), destroying, or the last EC2 failure and its backoff."})
final class DescribeCommand implements Callable<Integer> {

  @Mixin
  SharedOptions options;

  @Spec
  CommandSpec command;

  @Parameters(paramLabel = "GROUP", arity = "0..1", description = "One group (default: every committed group).")
  String groupId;

  @Override
  public Integer call() {
    try (Provisioner provisioner = options.open()) {
      List<GroupStatus> statuses = groupId == null
          ? provisioner.groups().describeAll().collectList().block()
          : List.of(provisioner.groups().describe(groupId).block());
      print(command.commandLine().getOut(), statuses);
    }
    return 0;
  }

  static void print(PrintWriter out, List<GroupStatus> statuses) {
    out.printf("%-30s\t%-7s\t%-7s\t%-7s\t%-8s\t%s%n", "GROUP", "DESIRED", "RUNNING", "PENDING", "OUTDATED", "STATUS");
    for (GroupStatus s : statuses) {
      out.printf("%-30s\t%-7d\t%-7d\t%-7d\t%-8d\t%s%n", s.groupId(), s.desired(), s.running(), s.pending(), s.outdated(),
          status(s));
    }
    out.flush();
  }

  static String status(GroupStatus s) {
    String state = s.destroying() ? "destroying: " + s.remaining().terminate() + " left"
        : s.converged() ? "converged"
        : "converging: " + s.remaining() + (s.pending() > 0 ? ", " + s.pending() + " not running yet" : "");
    return s.problem().map(p -> state + "; " + problem(p)).orElse(state);
  }

  private static String problem(Problem p) {
    return p.code() + " (" + p.attempts() + (p.attempts() == 1 ? " time" : " times") + " in a row, last at " + p.at() + ")"
        + p.retryAt().map(t -> ", backing off until " + t).orElse("") + ": " + p.message();
  }
}
