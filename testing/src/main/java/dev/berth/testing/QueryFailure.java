package dev.berth.testing;

/** Thrown inside a Query handler to answer with an error document; never leaves the package. */
final class QueryFailure extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient QueryError error;

  QueryFailure(QueryError error) {
    super(error.code() + ": " + error.message(), null, false, false);
    this.error = error;
  }

  QueryError error() {
    return error;
  }
}
