package dev.berth.provisioner.cli;

import dev.berth.provisioner.Provisioner;
import dev.berth.provisioner.controller.RoundResult;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import reactor.core.publisher.Flux;

/** {@code watch}: the controller in the foreground. */
@Command(name = "watch", mixinStandardHelpOptions = true, usageHelpWidth = 110,
    description = {"Runs the group controller in the foreground until Ctrl-C.",
        "Every poll interval, each committed group is reconciled (and each group being destroyed gets a destroy "
            + "pass). Prints one line per round that changed something or failed."})
final class WatchCommand implements Callable<Integer> {

  @Mixin
  SharedOptions options;

  @Spec
  CommandSpec command;

  @Option(names = "--rounds", paramLabel = "N", defaultValue = "${env:BERTH_WATCH_ROUNDS:-0}",
      description = "Stop after N polls (0: run until interrupted) [BERTH_WATCH_ROUNDS] (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Override
  public Integer call() {
    PrintWriter out = command.commandLine().getOut();
    try (Provisioner provisioner = options.open()) {
      Flux<Flux<RoundResult>> polls = Flux.interval(java.time.Duration.ZERO, options.poll())
          .onBackpressureDrop()
          .map(tick -> provisioner.groups().reconcileAll());
      Flux<RoundResult> results = (rounds > 0 ? polls.take(rounds) : polls).concatMap(poll -> poll, 1);
      var subscription = results
          .filter(r -> r.changed() || r.problem().isPresent())
          .doOnNext(r -> {
            out.println(line(r));
            out.flush();
          })
          .then()
          .toFuture();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> subscription.cancel(true), "berth-watch-stop"));
      try {
        subscription.join();
      } catch (java.util.concurrent.CancellationException stopped) {
        // Ctrl-C: the rounds in flight are abandoned; the stored state lets the next watch resume.
      }
    }
    return 0;
  }

  static String line(RoundResult r) {
    String done = r.groupId() + ": launched " + r.launched() + ", terminated " + r.terminated() + " (plan: " + r.plan() + ")";
    return r.problem().map(p -> done + "; " + p.code() + ": " + p.message()
        + p.retryAt().map(t -> "; backing off until " + t).orElse("")).orElse(done);
  }
}
