package dev.berth.testing;

/** Thrown inside the STS handler to answer with an error document; never leaves the package. */
final class StsFailure extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient StsError error;

  StsFailure(StsError error) {
    super(error.code() + ": " + error.message(), null, false, false);
    this.error = error;
  }

  StsError error() {
    return error;
  }
}
