package dev.berth.encryptor;

import dev.berth.provisioner.ec2.Ec2CallException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import reactor.core.publisher.Mono;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;

/**
 * {@code diag --instance ID}, read calls only: {@code DescribeInstances}, {@code DescribeInstanceStatus},
 * {@code DescribeVolumes}, {@code GetConsoleOutput}.
 */
final class Diagnostics {

  static final int CONSOLE_LINES = 30;

  private final Ec2AsyncClient ec2;

  Diagnostics(Ec2AsyncClient ec2) {
    this.ec2 = ec2;
  }

  Mono<InstanceDiagnosis> diagnose(String instanceId) {
    if (!instanceId.matches("i-([0-9a-f]{8}|[0-9a-f]{17})")) {
      return Mono.error(EncryptorException.invalid("--instance '" + instanceId + "' is not an instance id; expected i- and 8 or 17 hex digits"));
    }
    Mono<Instance> instance = Ec2Waits.call(ec2, () -> ec2.describeInstances(r -> r.instanceIds(instanceId)))
        .map(r -> r.reservations().get(0).instances().get(0))
        .onErrorMap(e -> e instanceof Ec2CallException c && c.code().startsWith("InvalidInstanceID"),
            e -> EncryptorException.invalid("--instance " + instanceId + " does not exist in this region; expected an instance id"));
    return instance.flatMap(i -> Mono.zip(
        Ec2Waits.call(ec2, () -> ec2.describeInstanceStatus(r -> r.instanceIds(instanceId).includeAllInstances(true)))
            .map(r -> r.instanceStatuses().isEmpty() ? List.of("not-applicable", "not-applicable")
                : List.of(r.instanceStatuses().get(0).systemStatus().statusAsString(),
                    r.instanceStatuses().get(0).instanceStatus().statusAsString())),
        Ec2Waits.call(ec2, () -> ec2.describeVolumes(r -> r.filters(Filter.builder().name("attachment.instance-id").values(instanceId).build())))
            .map(r -> r.volumes().stream().map(v -> (v.attachments().isEmpty() ? "?" : v.attachments().get(0).device())
                + " " + v.volumeId() + " " + v.size() + " GiB " + (Boolean.TRUE.equals(v.encrypted())
                    ? "encrypted under " + v.kmsKeyId() : "NOT encrypted")).toList()),
        Ec2Waits.call(ec2, () -> ec2.getConsoleOutput(r -> r.instanceId(instanceId)))
            .map(r -> tail(r.output())))
        .map(t -> new InstanceDiagnosis(instanceId, i.state().nameAsString(), reason(i), t.getT1().get(0),
            t.getT1().get(1), t.getT2(), t.getT3())));
  }

  private static String reason(Instance i) {
    String reason = i.stateReason() == null ? null : i.stateReason().message();
    if (reason == null || reason.isEmpty()) {
      reason = i.stateTransitionReason();
    }
    return reason == null ? "" : reason;
  }

  static List<String> tail(String base64) {
    if (base64 == null || base64.isEmpty()) {
      return List.of();
    }
    List<String> lines = new String(Base64.getMimeDecoder().decode(base64), StandardCharsets.UTF_8).lines()
        .map(l -> l.replace("\r", "")).toList();
    return lines.subList(Math.max(0, lines.size() - CONSOLE_LINES), lines.size());
  }
}
