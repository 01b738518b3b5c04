package dev.berth.provisioner.ec2;

import java.util.Set;
import java.util.concurrent.CompletionException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;

/** An EC2 call that failed, after the SDK's own retries, with what the failure means for a caller. */
public final class Ec2CallException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private static final Set<String> THROTTLED = Set.of("RequestLimitExceeded", "Throttling", "ThrottlingException");
  private static final Set<String> NO_CAPACITY = Set.of("InsufficientInstanceCapacity", "InsufficientCapacity",
      "InstanceLimitExceeded", "InsufficientHostCapacity", "InsufficientReservedInstanceCapacity");

  /** What a failure means for whoever retries it. */
  public enum Kind {
    /** The account is throttled: back off. */
    THROTTLED,
    /** EC2 has no capacity (or quota) for the launch now: back off. */
    NO_CAPACITY,
    /** A 5xx, a timeout or a lost connection: the call may or may not have taken effect; retry. */
    TRANSIENT,
    /** The request is wrong (4xx): retrying the same call will not help. */
    PERMANENT
  }

  private final String code;
  private final Kind kind;

  /**
   * @param code EC2's error code, or {@code Timeout}/{@code Unreachable}
   * @param kind what it means
   * @param message what happened
   * @param cause the SDK's exception
   */
  public Ec2CallException(String code, Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
    this.kind = kind;
  }

  /**
   * EC2's error code.
   *
   * @return e.g. {@code RequestLimitExceeded}
   */
  public String code() {
    return code;
  }

  /**
   * What the failure means for a retry.
   *
   * @return the kind
   */
  public Kind kind() {
    return kind;
  }

  /**
   * Classifies any failure of an SDK call.
   *
   * @param error what the SDK's future failed with
   * @return the classified failure
   */
  public static Ec2CallException from(Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (cause instanceof Ec2CallException already) {
      return already;
    }
    if (cause instanceof Ec2Exception ec2 && ec2.awsErrorDetails() != null) {
      String code = ec2.awsErrorDetails().errorCode();
      Kind kind = code == null ? (ec2.statusCode() >= 500 ? Kind.TRANSIENT : Kind.PERMANENT)
          : THROTTLED.contains(code) ? Kind.THROTTLED
          : NO_CAPACITY.contains(code) ? Kind.NO_CAPACITY
          : ec2.statusCode() >= 500 ? Kind.TRANSIENT : Kind.PERMANENT;
      return code == null
          ? new Ec2CallException("HTTP" + ec2.statusCode(), kind, withoutCode(ec2), cause)
          : new Ec2CallException(code, kind, "EC2 " + code + ": " + orNothing(ec2.awsErrorDetails().errorMessage()), cause);
    }
    if (cause instanceof ApiCallTimeoutException || cause instanceof ApiCallAttemptTimeoutException) {
      return new Ec2CallException("Timeout", Kind.TRANSIENT, "EC2 did not answer in time", cause);
    }
    if (cause instanceof SdkClientException) {
      return new Ec2CallException("Unreachable", Kind.TRANSIENT, "EC2 unreachable: " + cause.getMessage(), cause);
    }
    return new Ec2CallException("InternalError", Kind.TRANSIENT, String.valueOf(cause), cause);
  }

  /**
   * An answer that is no EC2 error document (e.g. a proxy's HTML page): the status, EC2's request id
   * and the start of the body, which is all there is to go on.
   */
  private static String withoutCode(Ec2Exception ec2) {
    StringBuilder message = new StringBuilder("EC2 answered HTTP ").append(ec2.statusCode()).append(" without an error code");
    if (ec2.requestId() != null) {
      message.append(" (request id ").append(ec2.requestId()).append(')');
    }
    var body = ec2.awsErrorDetails().rawResponse();
    String text = body == null ? "" : body.asUtf8String().replaceAll("\\s+", " ").strip();
    if (!text.isEmpty()) {
      message.append(": ").append(text.length() > 120 ? text.substring(0, 120) + "..." : text);
    }
    return message.toString();
  }

  private static String orNothing(String message) {
    return message == null ? "(no message)" : message;
  }
}
