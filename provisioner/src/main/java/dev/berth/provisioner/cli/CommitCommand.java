package dev.berth.provisioner.cli;

import dev.berth.provisioner.Provisioner;
import dev.berth.provisioner.controller.CommitResult;
import dev.berth.provisioner.spec.GroupSpec;
import dev.berth.provisioner.store.Problem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code commit SPEC.json [--pretend]}. */
@Command(name = "commit", mixinStandardHelpOptions = true, usageHelpWidth = 110,
    description = {"Stores a group spec and runs one reconciliation round, so its instances exist when this returns.",
        "With --pretend, prints the plan (create N, terminate M, replace K) and changes nothing."})
final class CommitCommand implements Callable<Integer> {

  @Mixin
  SharedOptions options;

  @Spec
  CommandSpec command;

  @Parameters(paramLabel = "SPEC.json", description = "An InfraKit group spec.")
  Path specFile;

  @Option(names = "--pretend", defaultValue = "${env:BERTH_PRETEND:-false}",
      description = "Only plan: no spec is stored and no EC2 write call is made [BERTH_PRETEND].")
  boolean pretend;

  @Override
  public Integer call() {
    String json;
    try {
      json = Files.readString(specFile);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + specFile + ": " + e.getMessage(), e);
    }
    GroupSpec spec = GroupSpec.parse(json);
    try (Provisioner provisioner = options.open()) {
      CommitResult result = provisioner.groups().commit(spec, pretend).block();
      if (result.pretend()) {
        command.commandLine().getOut().println("Pretend commit of " + result.groupId() + ": " + result.message());
        command.commandLine().getOut().println("Plan: " + result.plan());
      } else if (result.problem().isPresent()) {
        // The spec is stored and later rounds (watch) keep trying, but this commit did not do its job.
        Problem problem = result.problem().get();
        command.commandLine().getErr().println("berth-provisioner: commit of " + result.groupId()
            + " stored the spec, but its launch failed: " + problem.message()
            + problem.retryAt().map(at -> " (the group backs off until " + at + ")").orElse("")
            + "; run 'describe' to follow it");
        return 1;
      } else {
        command.commandLine().getOut().println("Committed " + result.groupId() + ": " + result.message());
      }
    }
    return 0;
  }
}
