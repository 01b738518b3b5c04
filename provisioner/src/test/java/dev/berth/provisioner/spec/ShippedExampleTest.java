package dev.berth.provisioner.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The example spec the README walks through is valid, and is InfraKit's own example, unchanged. */
final class ShippedExampleTest {

  @Test
  void shippedExample_parsesWithInfraKitsConfigHash() throws IOException {
    GroupSpec spec = GroupSpec.parse(Files.readString(Path.of("examples/aws-example.json")));
    assertThat(spec.id()).isEqualTo("aws-example");
    assertThat(spec.configHash()).isEqualTo("iififwhdtfvy4mk2davcik2lxu57cgq3");
  }
}
