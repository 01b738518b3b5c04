package dev.berth.testing;

/** One EC2 error as the service reports it: HTTP status, error code and message. */
record Ec2Error(int status, String code, String message) {

  static Ec2Error missingParameter(String name) {
    return new Ec2Error(400, "MissingParameter", "The request must contain the parameter " + name);
  }

  static Ec2Error invalidParameterValue(String message) {
    return new Ec2Error(400, "InvalidParameterValue", message);
  }

  static Ec2Error invalidParameterCombination(String message) {
    return new Ec2Error(400, "InvalidParameterCombination", message);
  }

  static Ec2Error dryRun() {
    return new Ec2Error(412, "DryRunOperation", "Request would have succeeded, but DryRun flag is set.");
  }

  static Ec2Error invalidAction(String action) {
    return new Ec2Error(400, "InvalidAction", "The action " + action + " is not valid for this web service.");
  }

  static Ec2Error noSuchVersion(String version) {
    return new Ec2Error(400, "NoSuchVersion",
        "The requested version (" + version + ") of service AmazonEC2 does not exist");
  }

  static Ec2Error authFailure() {
    return new Ec2Error(401, "AuthFailure", "AWS was not able to validate the provided access credentials");
  }

  static Ec2Error amiNotFound(String imageId) {
    return new Ec2Error(400, "InvalidAMIID.NotFound", "The image id '[" + imageId + "]' does not exist");
  }

  static Ec2Error amiMalformed(String imageId) {
    return new Ec2Error(400, "InvalidAMIID.Malformed", "Invalid id: \"" + imageId + "\" (expecting \"ami-...\")");
  }

  static Ec2Error instanceNotFound(String instanceId) {
    return new Ec2Error(400, "InvalidInstanceID.NotFound", "The instance ID '" + instanceId + "' does not exist");
  }

  static Ec2Error instanceMalformed(String instanceId) {
    return new Ec2Error(400, "InvalidInstanceID.Malformed", "Invalid id: \"" + instanceId + "\"");
  }

  static Ec2Error idempotentMismatch() {
    return new Ec2Error(400, "IdempotentParameterMismatch",
        "Arguments on this idempotent request are inconsistent with arguments used in previous request(s).");
  }

  static Ec2Error insufficientCapacity(String zone) {
    return new Ec2Error(500, "InsufficientInstanceCapacity",
        "We currently do not have sufficient capacity in the Availability Zone you requested (" + zone + "). "
            + "Our system will be working on provisioning additional capacity. You can currently get capacity "
            + "by not specifying an Availability Zone in your request or choosing a different Availability Zone.");
  }

  static Ec2Error addressInUse(String address) {
    return new Ec2Error(400, "InvalidIPAddress.InUse", "Address " + address + " is in use.");
  }
}
