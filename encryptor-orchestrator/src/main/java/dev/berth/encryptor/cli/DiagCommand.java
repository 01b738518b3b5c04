package dev.berth.encryptor.cli;

import dev.berth.encryptor.InstanceDiagnosis;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code diag --instance ID}: what is wrong with an instance, from read calls only. */
@Command(name = "diag", mixinStandardHelpOptions = true, usageHelpWidth = 110,
    description = {"Reports an instance's state and the reason for it, its status checks, its volumes with their "
        + "encryption and key, and the last lines of its console output.", "Makes read calls only.", ""})
final class DiagCommand implements Callable<Integer> {

  @Spec
  CommandSpec command;

  @Option(names = "--instance", paramLabel = "ID", required = true, defaultValue = "${env:BERTH_INSTANCE}",
      description = "The instance (i-...) [BERTH_INSTANCE].")
  String instanceId;

  @Mixin
  Ec2Options ec2;

  @Override
  public Integer call() {
    try (Ec2Options.Opened opened = ec2.open()) {
      InstanceDiagnosis diagnosis = opened.encryptor().diagnose(instanceId).block();
      diagnosis.lines().forEach(command.commandLine().getOut()::println);
      return 0;
    }
  }
}
