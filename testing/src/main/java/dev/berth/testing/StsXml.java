package dev.berth.testing;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** The XML documents STS answers with, element for element. */
final class StsXml {

  static final String NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/";

  private StsXml() {}

  static String assumeRole(StsEmulator.Issued issued, String assumedRoleId, String assumedRoleArn,
      Integer packedPolicySize, String requestId) {
    XmlWriter xml = XmlWriter.document("", "AssumeRoleResponse", NAMESPACE)
        .open("AssumeRoleResult")
        .open("Credentials")
        .leaf("AccessKeyId", issued.accessKeyId())
        .leaf("SecretAccessKey", issued.secretAccessKey())
        .leaf("SessionToken", issued.sessionToken())
        .leaf("Expiration", timestamp(issued.expiration()))
        .close("Credentials")
        .open("AssumedRoleUser")
        .leaf("AssumedRoleId", assumedRoleId)
        .leaf("Arn", assumedRoleArn)
        .close("AssumedRoleUser")
        .leaf("PackedPolicySize", packedPolicySize)
        .close("AssumeRoleResult");
    return metadata(xml, requestId).end("AssumeRoleResponse");
  }

  static String getCallerIdentity(String arn, String userId, String account, String requestId) {
    XmlWriter xml = XmlWriter.document("", "GetCallerIdentityResponse", NAMESPACE)
        .open("GetCallerIdentityResult")
        .leaf("Arn", arn)
        .leaf("UserId", userId)
        .leaf("Account", account)
        .close("GetCallerIdentityResult");
    return metadata(xml, requestId).end("GetCallerIdentityResponse");
  }

  static String error(QueryError error, String requestId) {
    return XmlWriter.document("", "ErrorResponse", NAMESPACE)
        .open("Error")
        .leaf("Type", error.type())
        .leaf("Code", error.code())
        .leaf("Message", error.message())
        .close("Error")
        .leaf("RequestId", requestId)
        .end("ErrorResponse");
  }

  /** ISO-8601 in UTC to the second, as STS writes {@code Expiration}. */
  static String timestamp(Instant instant) {
    return instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  private static XmlWriter metadata(XmlWriter xml, String requestId) {
    return xml.open("ResponseMetadata").leaf("RequestId", requestId).close("ResponseMetadata");
  }
}
