package dev.berth.testing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks that a request carries a well-formed SigV4 signature and names the caller's access key.
 *
 * <p>Design notes: the emulator checks the shape of the signature (the parts STS reports as
 * {@code IncompleteSignature} or a wrong credential scope) but does not recompute it, so any
 * secret key is accepted. Both the {@code Authorization} header and presigned query parameters
 * ({@code X-Amz-Credential} ...) are understood.
 */
final class StsAuth {

  private StsAuth() {}

  /** The access key id that signed {@code request}; throws {@link QueryFailure} otherwise. */
  static String accessKeyId(StsRequest request) {
    if (request.authorization() != null) {
      return fromHeader(request.authorization(), request.hasDate());
    }
    if (request.param("X-Amz-Credential") != null || request.param("X-Amz-Signature") != null) {
      return fromQuery(request);
    }
    throw new QueryFailure(StsErrors.missingAuthenticationToken());
  }

  private static String fromHeader(String authorization, boolean hasDate) {
    String algorithm = "AWS4-HMAC-SHA256";
    if (!authorization.startsWith(algorithm + " ")) {
      int space = authorization.indexOf(' ');
      String given = space < 0 ? authorization : authorization.substring(0, space);
      throw new QueryFailure(StsErrors.incompleteSignature("Unsupported AWS 'algorithm': '" + given + "'"));
    }
    Map<String, String> parts = new HashMap<>();
    for (String part : authorization.substring(algorithm.length() + 1).split(",")) {
      int eq = part.indexOf('=');
      if (eq > 0) {
        parts.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
      }
    }
    List<String> problems = new ArrayList<>();
    for (String required : List.of("Credential", "SignedHeaders", "Signature")) {
      if (parts.get(required) == null || parts.get(required).isEmpty()) {
        problems.add("Authorization header requires '" + required + "' parameter.");
      }
    }
    if (!hasDate) {
      problems.add("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
    }
    if (!problems.isEmpty()) {
      throw new QueryFailure(StsErrors.incompleteSignature(
          String.join(" ", problems) + " Authorization=" + authorization));
    }
    return scopedAccessKey(parts.get("Credential"));
  }

  private static String fromQuery(StsRequest request) {
    List<String> problems = new ArrayList<>();
    for (String required : List.of("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature",
        "X-Amz-SignedHeaders", "X-Amz-Date")) {
      if (request.param(required) == null || request.param(required).isEmpty()) {
        problems.add("AWS query-string parameters must include '" + required + "'.");
      }
    }
    if (!problems.isEmpty()) {
      throw new QueryFailure(StsErrors.incompleteSignature(String.join(" ", problems)));
    }
    return scopedAccessKey(request.param("X-Amz-Credential"));
  }

  // Credential=AKID/20260101/us-east-1/sts/aws4_request
  private static String scopedAccessKey(String credential) {
    String[] scope = credential.split("/", -1);
    if (scope.length != 5 || scope[0].isEmpty() || !"aws4_request".equals(scope[4])) {
      throw new QueryFailure(StsErrors.incompleteSignature(
          "Credential should be scoped to a valid region, not '" + credential + "'. "));
    }
    if (!"sts".equals(scope[3])) {
      throw new QueryFailure(StsErrors.signatureDoesNotMatch(
          "Credential should be scoped to correct service: 'sts'. "));
    }
    return scope[0];
  }
}
