package dev.berth.testing;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** The XML documents STS answers with, element for element. */
final class StsXml {

  static final String NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/";

  private StsXml() {}

  static String assumeRole(StsEmulator.Issued issued, String assumedRoleId, String assumedRoleArn,
      Integer packedPolicySize, String requestId) {
    StringBuilder xml = new StringBuilder(1024)
        .append("<AssumeRoleResponse xmlns=\"").append(NAMESPACE).append("\">\n")
        .append("  <AssumeRoleResult>\n")
        .append("    <Credentials>\n");
    element(xml, 6, "AccessKeyId", issued.accessKeyId());
    element(xml, 6, "SecretAccessKey", issued.secretAccessKey());
    element(xml, 6, "SessionToken", issued.sessionToken());
    element(xml, 6, "Expiration", timestamp(issued.expiration()));
    xml.append("    </Credentials>\n")
        .append("    <AssumedRoleUser>\n");
    element(xml, 6, "AssumedRoleId", assumedRoleId);
    element(xml, 6, "Arn", assumedRoleArn);
    xml.append("    </AssumedRoleUser>\n");
    if (packedPolicySize != null) {
      element(xml, 4, "PackedPolicySize", packedPolicySize.toString());
    }
    xml.append("  </AssumeRoleResult>\n");
    return metadata(xml, requestId).append("</AssumeRoleResponse>\n").toString();
  }

  static String getCallerIdentity(String arn, String userId, String account, String requestId) {
    StringBuilder xml = new StringBuilder(512)
        .append("<GetCallerIdentityResponse xmlns=\"").append(NAMESPACE).append("\">\n")
        .append("  <GetCallerIdentityResult>\n");
    element(xml, 4, "Arn", arn);
    element(xml, 4, "UserId", userId);
    element(xml, 4, "Account", account);
    xml.append("  </GetCallerIdentityResult>\n");
    return metadata(xml, requestId).append("</GetCallerIdentityResponse>\n").toString();
  }

  static String error(StsError error, String requestId) {
    StringBuilder xml = new StringBuilder(512)
        .append("<ErrorResponse xmlns=\"").append(NAMESPACE).append("\">\n")
        .append("  <Error>\n");
    element(xml, 4, "Type", error.type());
    element(xml, 4, "Code", error.code());
    element(xml, 4, "Message", error.message());
    xml.append("  </Error>\n");
    element(xml, 2, "RequestId", requestId);
    return xml.append("</ErrorResponse>\n").toString();
  }

  /** ISO-8601 in UTC to the second, as STS writes {@code Expiration}. */
  static String timestamp(Instant instant) {
    return instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  private static StringBuilder metadata(StringBuilder xml, String requestId) {
    xml.append("  <ResponseMetadata>\n");
    element(xml, 4, "RequestId", requestId);
    return xml.append("  </ResponseMetadata>\n");
  }

  private static void element(StringBuilder xml, int indent, String name, String value) {
    xml.append(" ".repeat(indent)).append('<').append(name).append('>')
        .append(Text.xml(value))
        .append("</").append(name).append(">\n");
  }
}
