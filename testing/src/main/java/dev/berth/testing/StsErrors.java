package dev.berth.testing;

import java.util.List;

/** One STS error as the service reports it: HTTP status, error code and message. */
record StsError(int status, String code, String message) {

  /** {@code Sender} for errors the caller caused (4xx), {@code Receiver} for the service's own (5xx). */
  String type() {
    return status >= 500 ? "Receiver" : "Sender";
  }

  static StsError validation(List<String> problems) {
    String count = problems.size() == 1 ? "1 validation error" : problems.size() + " validation errors";
    return new StsError(400, "ValidationError", count + " detected: " + String.join("; ", problems));
  }

  static StsError validationMessage(String message) {
    return new StsError(400, "ValidationError", message);
  }

  static StsError accessDenied(String callerArn, String roleArn) {
    return new StsError(403, "AccessDenied",
        "User: " + callerArn + " is not authorized to perform: sts:AssumeRole on resource: " + roleArn);
  }

  static StsError missingAuthenticationToken() {
    return new StsError(403, "MissingAuthenticationToken", "Request is missing Authentication Token");
  }

  static StsError incompleteSignature(String message) {
    return new StsError(400, "IncompleteSignature", message);
  }

  static StsError signatureDoesNotMatch(String message) {
    return new StsError(403, "SignatureDoesNotMatch", message);
  }

  static StsError expiredToken() {
    return new StsError(403, "ExpiredToken", "The security token included in the request is expired");
  }

  static StsError missingAction() {
    return new StsError(400, "MissingAction", "Missing Action");
  }

  static StsError invalidAction(String action, String version) {
    return new StsError(400, "InvalidAction",
        "Could not find operation " + action + " for version " + version);
  }
}
