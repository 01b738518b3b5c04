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
      "/LATEST/meta-data/iam/security-credentials/",
      "/Latest/Meta-Data/Iam/info",
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
  void parse_normalises() {
    MetadataPath path = MetadataPath.parse("/latest//meta-data/./placement/../instance-id?x=1");
    assertThat(path.path()).isEqualTo("/latest/meta-data/instance-id");
    assertThat(path.isIam()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "/latest/meta-data/instance-id?x=1 -> /latest/meta-data/instance-id",
      "/latest/meta-data/%70lacement/region -> /latest/meta-data/placement/region",
      "/2016-09-02/meta-data/ -> /2016-09-02/meta-data/",
      "/ -> /",
      "/latest -> /latest",
      "/latest/meta-data/network/interfaces/macs/0e:49:61:0f:c3:11/local-ipv4s -> "
          + "/latest/meta-data/network/interfaces/macs/0e:49:61:0f:c3:11/local-ipv4s",
      "/latest/meta-data/tags/instance/Cost_Center+2=a,b@c -> /latest/meta-data/tags/instance/Cost_Center+2=a,b@c",
      "/latest/dynamic/instance-identity/document -> /latest/dynamic/instance-identity/document",
      "/latest/user-data/../meta-data/./instance-id/ -> /latest/meta-data/instance-id/",
      // Folded, these are neither "iam" nor "identitycredentials": no credential category.
      "/latest/meta-data/iams -> /latest/meta-data/iams",
      "/latest/meta-data/ia -> /latest/meta-data/ia",
      "/latest/meta-data/identity-credential -> /latest/meta-data/identity-credential",
  })
  void forwardPath_canonical_forwardedReencodedWithoutQuery(String example) {
    String[] uriAndForwarded = example.split(" -> ");
    assertThat(MetadataPath.parse(uriAndForwarded[0]).forwardPath()).isEqualTo(uriAndForwarded[1]);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "/LATEST/meta-data/instance-id",
      "/2099-01-01/meta-data/instance-id",
      "/meta-data/iam/security-credentials/",
      "/latest/Meta-Data/instance-id",
      "/latest/api/token",
      "/latest/API/TOKEN",
      "/latest/meta-data/%2569am/security-credentials/",
      "/latest/meta-data/iam;x=1/security-credentials/",
      "/latest/meta-data/i.am/security-credentials/",
      "/latest/meta-data/Identity_Credentials/ec2/security-credentials/ec2-instance",
      "/latest/meta-data%252Fiam/",
      "/latest/meta-data/%EF%BD%89%EF%BD%81%EF%BD%8D/",
      "/latest/meta-data/\u0131am/",
      "/latest/meta-data/.../",
      "/latest/meta-data/a%20b",
  })
  void forwardPath_notCanonical_null(String uri) {
    assertThat(MetadataPath.parse(uri).forwardPath()).as(uri).isNull();
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
      "/latest/%5Cmeta-data", "/latest/%C2%85x", "/latest/%E2%80%A8x"})
  void parse_malformed_rejected(String uri) {
    assertThatThrownBy(() -> MetadataPath.parse(uri)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void parse_tooLong_rejected() {
    assertThatThrownBy(() -> MetadataPath.parse("/" + "a".repeat(3000))).isInstanceOf(IllegalArgumentException.class);
  }
}
