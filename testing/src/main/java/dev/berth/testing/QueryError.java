package dev.berth.testing;

/**
 * One error as a Query service reports it: HTTP status, error code and message. {@link Ec2Errors}
 * and {@link StsErrors} name the ones each service sends. Without a code, the message is the whole
 * body, sent instead of an error document (what something in front of the service might answer).
 */
record QueryError(int status, String code, String message) {

  /** {@code Sender} for errors the caller caused (4xx), {@code Receiver} for the service's own (5xx). */
  String type() {
    return status >= 500 ? "Receiver" : "Sender";
  }
}
