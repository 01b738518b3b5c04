package dev.berth.provisioner.cli;

import dev.berth.provisioner.Provisioner;
import dev.berth.provisioner.controller.DestroyResult;
import dev.berth.provisioner.controller.UnknownGroupException;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import reactor.core.publisher.Mono;

/** {@code destroy GROUP}: terminate everything, forget the group only when nothing is left. */
@Command(name = "destroy", mixinStandardHelpOptions = true, usageHelpWidth = 110,
    description = {"Terminates every instance of a group, waits until EC2 shows none left, then forgets the group.",
        "Until then the group stays in the state directory marked for destruction; `watch` or another `destroy` finishes it."})
final class DestroyCommand implements Callable<Integer> {

  private static final Logger log = LoggerFactory.getLogger(DestroyCommand.class);

  @Mixin
  SharedOptions options;

  @Spec
  CommandSpec command;

  @Parameters(paramLabel = "GROUP", description = "The group's ID.")
  String groupId;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "${env:BERTH_DESTROY_TIMEOUT:-10m}",
      description = "How long to wait for the instances to be gone [BERTH_DESTROY_TIMEOUT] (default: ${DEFAULT-VALUE}).")
  String timeout;

  @Override
  public Integer call() {
    Duration limit = SharedOptions.duration("--timeout", timeout);
    try (Provisioner provisioner = options.open()) {
      DestroyResult last = provisioner.destroy(groupId, limit)
          .onErrorResume(e -> !(e instanceof UnknownGroupException), e -> {
            log.warn("{}: {}", groupId, e.getMessage());
            return Mono.empty();
          })
          .block();
      if (last != null && last.done()) {
        command.commandLine().getOut().println("Destroyed " + groupId);
        return 0;
      }
      command.commandLine().getOut().println("Destroying " + groupId + ": "
          + (last == null || last.remaining() < 0 ? "instances" : last.remaining() + " instance(s)")
          + " left after " + timeout + "; run destroy again, or watch, to finish");
      return 1;
    }
  }
}
