package dev.berth.testing;

import java.util.List;

/** The errors STS reports, with its codes, statuses and messages. */
final class StsErrors {

  private StsErrors() {}

  /** The error a test injects as {@code fault}. */
  static QueryError of(StsEmulator.Fault fault) {
    return switch (fault) {
      case THROTTLING -> new QueryError(400, "Throttling", "Rate exceeded");
      case SERVER_ERROR -> new QueryError(500, "InternalFailure",
          "The request processing has failed because of an unknown error, exception or failure.");
      case UNAVAILABLE -> new QueryError(503, "ServiceUnavailable",
          "The request has failed due to a temporary failure of the server.");
    };
  }

  static QueryError validation(List<String> problems) {
    String count = problems.size() == 1 ? "1 validation error" : problems.size() + " validation errors";
    return new QueryError(400, "ValidationError", count + " detected: " + String.join("; ", problems));
  }

  static QueryError validationMessage(String message) {
    return new QueryError(400, "ValidationError", message);
  }

  static QueryError accessDenied(String callerArn, String roleArn) {
    return new QueryError(403, "AccessDenied",
        "User: " + callerArn + " is not authorized to perform: sts:AssumeRole on resource: " + roleArn);
  }

  static QueryError missingAuthenticationToken() {
    return new QueryError(403, "MissingAuthenticationToken", "Request is missing Authentication Token");
  }

  static QueryError incompleteSignature(String message) {
    return new QueryError(400, "IncompleteSignature", message);
  }

  static QueryError signatureDoesNotMatch(String message) {
    return new QueryError(403, "SignatureDoesNotMatch", message);
  }

  static QueryError expiredToken() {
    return new QueryError(403, "ExpiredToken", "The security token included in the request is expired");
  }

  static QueryError missingAction() {
    return new QueryError(400, "MissingAction", "Missing Action");
  }

  static QueryError invalidAction(String action, String version) {
    return new QueryError(400, "InvalidAction",
        "Could not find operation " + action + " for version " + version);
  }
}
