package dev.berth.iptables;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class DockerBridgesTest {

  /** An element of the engine's GET /networks. */
  private static JsonNode network(String name, String id, String driver, String bridgeOption) throws Exception {
    String options = bridgeOption == null ? "{}" : "{\"com.docker.network.bridge.name\": \"" + bridgeOption + "\"}";
    return new ObjectMapper().readValue("{\"Name\": \"" + name + "\", \"Id\": \"" + id + "\", \"Driver\": \"" + driver
        + "\", \"Options\": " + options + "}", JsonNode.class);
  }

  @ParameterizedTest
  @CsvSource({
      "bridge, 5a2f0c3e9d1b44aa, bridge, docker0, docker0",
      "bridge, 5a2f0c3e9d1b44aa, bridge, , docker0",
      "app, 3f2a9c1d7e4b1234567890, bridge, , br-3f2a9c1d7e4b",
      "named, 3f2a9c1d7e4b1234567890, bridge, berth-br0, berth-br0",
      "host, 77aa, host, , ",
      "none, 88bb, null, , ",
      "overlay, 99cc99cc99cc99cc, overlay, , "})
  void interfaceOf_bridgeNetworksOnly(String name, String id, String driver, String option, String expected)
      throws Exception {
    assertThat(DockerBridges.interfaceOf(network(name, id, driver, option))).isEqualTo(Optional.ofNullable(expected));
  }
}
