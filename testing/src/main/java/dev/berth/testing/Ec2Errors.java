package dev.berth.testing;

/** The errors EC2 reports, with its codes, statuses and messages. */
final class Ec2Errors {

  private Ec2Errors() {}

  /** The error a test injects as {@code fault}. */
  static QueryError of(Ec2Emulator.Fault fault) {
    return switch (fault) {
      case REQUEST_LIMIT_EXCEEDED -> new QueryError(503, "RequestLimitExceeded", "Request limit exceeded.");
      case INSUFFICIENT_INSTANCE_CAPACITY -> insufficientCapacity("us-west-2a");
      case INTERNAL_ERROR -> new QueryError(500, "InternalError", "An internal error has occurred.");
      case UNAVAILABLE -> new QueryError(503, "Unavailable", "The server is overloaded and can't handle the request.");
      case UNEXPECTED_BODY -> new QueryError(500, null, "<html><body><h1>500 Internal Server Error</h1></body></html>");
    };
  }

  static QueryError missingParameter(String name) {
    return new QueryError(400, "MissingParameter", "The request must contain the parameter " + name);
  }

  static QueryError invalidParameterValue(String message) {
    return new QueryError(400, "InvalidParameterValue", message);
  }

  static QueryError invalidParameterCombination(String message) {
    return new QueryError(400, "InvalidParameterCombination", message);
  }

  static QueryError dryRun() {
    return new QueryError(412, "DryRunOperation", "Request would have succeeded, but DryRun flag is set.");
  }

  static QueryError invalidAction(String action) {
    return new QueryError(400, "InvalidAction", "The action " + action + " is not valid for this web service.");
  }

  static QueryError noSuchVersion(String version) {
    return new QueryError(400, "NoSuchVersion",
        "The requested version (" + version + ") of service AmazonEC2 does not exist");
  }

  static QueryError authFailure() {
    return new QueryError(401, "AuthFailure", "AWS was not able to validate the provided access credentials");
  }

  static QueryError amiNotFound(String imageId) {
    return new QueryError(400, "InvalidAMIID.NotFound", "The image id '[" + imageId + "]' does not exist");
  }

  static QueryError amiMalformed(String imageId) {
    return new QueryError(400, "InvalidAMIID.Malformed", "Invalid id: \"" + imageId + "\" (expecting \"ami-...\")");
  }

  static QueryError instanceNotFound(String instanceId) {
    return new QueryError(400, "InvalidInstanceID.NotFound", "The instance ID '" + instanceId + "' does not exist");
  }

  static QueryError instanceMalformed(String instanceId) {
    return new QueryError(400, "InvalidInstanceID.Malformed", "Invalid id: \"" + instanceId + "\"");
  }

  static QueryError idempotentMismatch() {
    return new QueryError(400, "IdempotentParameterMismatch",
        "Arguments on this idempotent request are inconsistent with arguments used in previous request(s).");
  }

  static QueryError insufficientCapacity(String zone) {
    return new QueryError(500, "InsufficientInstanceCapacity",
        "We currently do not have sufficient capacity in the Availability Zone you requested (" + zone + "). "
            + "Our system will be working on provisioning additional capacity. You can currently get capacity "
            + "by not specifying an Availability Zone in your request or choosing a different Availability Zone.");
  }

  static QueryError addressInUse(String address) {
    return new QueryError(400, "InvalidIPAddress.InUse", "Address " + address + " is in use.");
  }
}
