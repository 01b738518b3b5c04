package dev.berth.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

final class MetadataPathTest {

  @ParameterizedTest
  @ValueSource(strings = {
      "/latest/meta-data/iam/security-credentials/",
      "//latest//meta-data//iam/security-credentials/",
      "/latest/meta-data/./iam/security-credentials/",
      "/latest/meta-data/x/../iam/security-credentials/",
      "/latest/meta-data/%69am/security-credentials/",
      "/latest/meta-data/IAM/security-credentials/",
      "/latest/meta%2Ddata/iam/security-credentials/",
      "/latest/meta-data/placement/..%2F..%2Fmeta-data/iam/security-credentials/",
      "/2021-07-15/meta-data/iam/security-credentials/",
      "/latest/dynamic/../meta-data/iam/security-credentials-extended/",
  })
  void isIam_everySpelling(String uri) {
    assertThat(MetadataPath.parse(uri).isIam()).as(uri).isTrue();
  }

  @Test
  void isHostIdentity_identityCredentials() {
    assertThat(MetadataPath.parse("/latest/meta-data/identity-credentials/ec2/security-credentials/ec2-instance")
        .isHostIdentity()).isTrue();
  }

  @Test
  void parse_normalisesAndKeepsQuery() {
    MetadataPath path = MetadataPath.parse("/latest//meta-data/./placement/../instance-id?x=1");
    assertThat(path.path()).isEqualTo("/latest/meta-data/instance-id");
    assertThat(path.pathAndQuery()).isEqualTo("/latest/meta-data/instance-id?x=1");
    assertThat(path.isIam()).isFalse();
  }

  @Test
  void parse_keepsTrailingSlash() {
    assertThat(MetadataPath.parse("/latest/meta-data/").path()).isEqualTo("/latest/meta-data/");
    assertThat(MetadataPath.parse("/").path()).isEqualTo("/");
  }

  @Test
  void isTokenApi_onlyLatest() {
    assertThat(MetadataPath.parse("/latest/api/token").isTokenApi()).isTrue();
    assertThat(MetadataPath.parse("/latest//api/./token").isTokenApi()).isTrue();
    assertThat(MetadataPath.parse("/latest/api/tokens").isTokenApi()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"/../etc/passwd", "/latest/%zz", "/latest/%2", "relative", "/latest/%00", "/latest\\meta-data",
      "/latest/%5Cmeta-data"})
  void parse_malformed_rejected(String uri) {
    assertThatThrownBy(() -> MetadataPath.parse(uri)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void parse_tooLong_rejected() {
    assertThatThrownBy(() -> MetadataPath.parse("/" + "a".repeat(3000))).isInstanceOf(IllegalArgumentException.class);
  }
}
