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

  static QueryError incorrectInstanceState(String instanceId, String state) {
    return new QueryError(400, "IncorrectInstanceState",
        "The instance '" + instanceId + "' is not in a state from which it can be stopped (" + state + ").");
  }

  static QueryError incorrectState(String message) {
    return new QueryError(400, "IncorrectState", message);
  }

  static QueryError snapshotNotFound(String snapshotId) {
    return new QueryError(400, "InvalidSnapshot.NotFound", "The snapshot '" + snapshotId + "' does not exist.");
  }

  static QueryError snapshotMalformed(String snapshotId) {
    return new QueryError(400, "InvalidSnapshotID.Malformed", "Invalid id: \"" + snapshotId + "\" (expecting \"snap-...\")");
  }

  static QueryError snapshotInUse(String snapshotId, String imageId) {
    return new QueryError(400, "InvalidSnapshot.InUse",
        "The snapshot " + snapshotId + " is currently in use by " + imageId);
  }

  static QueryError volumeNotFound(String volumeId) {
    return new QueryError(400, "InvalidVolume.NotFound", "The volume '" + volumeId + "' does not exist.");
  }

  static QueryError volumeInUse(String volumeId, String instanceId) {
    return new QueryError(400, "VolumeInUse", "Volume " + volumeId + " is currently attached to " + instanceId);
  }

  static QueryError groupNotFound(String groupId) {
    return new QueryError(400, "InvalidGroup.NotFound", "The security group '" + groupId + "' does not exist");
  }

  static QueryError subnetNotFound(String subnetId) {
    return new QueryError(400, "InvalidSubnetID.NotFound", "The subnet ID '" + subnetId + "' does not exist");
  }

  static QueryError amiNameDuplicate(String name) {
    return new QueryError(400, "InvalidAMIName.Duplicate", "AMI name " + name + " is already in use by AMI");
  }

  static QueryError amiNameMalformed(String name) {
    return new QueryError(400, "InvalidAMIName.Malformed", "AMI names must be between 3 and 128 characters long, "
        + "and may contain letters, numbers, '(', ')', '.', '-', '/', '_', '[', ']', ' ', '@' and \"'\": " + name);
  }
}
