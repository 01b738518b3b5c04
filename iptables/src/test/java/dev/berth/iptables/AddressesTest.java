package dev.berth.iptables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

final class AddressesTest {

  @ParameterizedTest
  @CsvSource({
      "172.17.0.1, 172.17.0.1",
      "fd00:ec2::254, fd00:ec2::254",
      "FD00:0EC2:0000:0000:0000:0000:0000:0254, fd00:ec2::254",
      "[fd00:1::1], fd00:1::1",
      "2001:db8:0:1:0:0:0:1, 2001:db8:0:1::1",
      "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
      "2001:db8:1:2:3:4:0:5, 2001:db8:1:2:3:4:0:5",
      "0:0:0:0:0:0:0:1, ::1",
      "fe80:0:0:0:0:0:0:0, fe80::"})
  void parseThenFormat_printsWhatIptablesSavePrints(String literal, String printed) {
    assertThat(Addresses.format(Addresses.parse("address", literal))).isEqualTo(printed);
  }

  @ParameterizedTest
  @ValueSource(strings = {"localhost", "metadata.google.internal", "256.1.1.1", "1.2.3", "1.2.3.4.5", "fd00::g",
      "1.2.3.4:80", "-1.0.0.0"})
  void parse_notAnAddress_saysSo(String value) {
    assertThatThrownBy(() -> Addresses.parse("proxy address", value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("proxy address '" + value + "' is not an IPv4 or IPv6 address (no host names)");
  }

  @Test
  void parse_blank_saysWhatToGive() {
    assertThatThrownBy(() -> Addresses.parse("proxy address", " "))
        .hasMessageContaining("proxy address is empty");
  }

  @Test
  void parse_ipv4Mapped_refused() {
    assertThatThrownBy(() -> Addresses.parse("IPv6 proxy address", "::ffff:10.0.0.1"))
        .hasMessageContaining("IPv4-mapped");
  }
}
