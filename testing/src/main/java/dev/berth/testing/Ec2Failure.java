package dev.berth.testing;

/** Thrown inside the EC2 handler to answer with an error document; never leaves the package. */
final class Ec2Failure extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient Ec2Error error;

  Ec2Failure(Ec2Error error) {
    super(error.code() + ": " + error.message(), null, false, false);
    this.error = error;
  }

  Ec2Error error() {
    return error;
  }
}
