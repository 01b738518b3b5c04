package dev.berth.provisioner.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The hash must equal InfraKit's bit for bit, or every instance InfraKit made looks out of date.
 * The expected values were computed by Go 1.19's encoding/json running InfraKit's stableFormat and
 * InstanceHash (pkg/plugin/group/types/types.go) over the same files.
 */
final class ConfigHashTest {

  @ParameterizedTest
  @CsvSource({
      "example.json, iififwhdtfvy4mk2davcik2lxu57cgq3",
      "tricky.json, ku7os5ee7vbtf63viltant2s2cvyeazm",
      "numbers.json, y3x3qhdimf3yty7rpwnjugadxkakp6u3",
      "noflavor.json, nvg76v72gdjmr6noarzpp6z2twn6eosd"})
  void of_infrakitVectors_sameHashAsGo(String file, String expected) throws IOException {
    var properties = new ObjectMapper().readTree(resource(file)).get("Properties");

    assertThat(ConfigHash.of(properties.get("Instance"), properties.get("Flavor"))).isEqualTo(expected);
  }

  @Test
  void parse_issueExample_specCarriesTheHash() throws IOException {
    assertThat(GroupSpec.parse(resource("example.json")).configHash()).isEqualTo("iififwhdtfvy4mk2davcik2lxu57cgq3");
  }

  @Test
  void parse_floatWhereEc2WantsAnInteger_rejectedAsInfraKitsGoDecoderWould() {
    assertThatThrownBy(() -> GroupSpec.parse(resource("tricky.json")))
        .isInstanceOf(SpecException.class)
        .hasMessage("$.Properties.Instance.Properties.RunInstancesInput.BlockDeviceMappings[0].Ebs.Iops: "
            + "expected a whole number from -2147483648 to 2147483647, got the number 3000.0");
  }

  @ParameterizedTest
  @CsvSource({
      "1, 1", "1.5, 1.5", "100, 100", "1e21, 1e+21", "1e20, 100000000000000000000",
      "123456789012345678, 123456789012345680", "0.000001, 0.000001", "0.0000001, 1e-7",
      "1.25e-8, 1.25e-8", "-3.5e300, -3.5e+300", "2.5E+3, 2500", "0.1, 0.1", "-0.0, -0"})
  void number_goFloatFormat(double value, String go) {
    assertThat(GoJson.number(value)).isEqualTo(go);
  }

  static String resource(String name) throws IOException {
    try (InputStream in = ConfigHashTest.class.getResourceAsStream("/specs/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
