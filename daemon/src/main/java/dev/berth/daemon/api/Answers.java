package dev.berth.daemon.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.util.concurrent.atomic.AtomicLong;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/** How the control API answers: JSON bodies written by Jackson, errors as {@link ApiError}. */
public final class Answers {

  /** The one mapper of the control API: ISO-8601 times, records as objects. */
  public static final ObjectMapper JSON = new ObjectMapper()
      .registerModule(new JavaTimeModule())
      .registerModule(new Jdk8Module())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

  /** The most a request body may hold: a group spec or an encryption request is a few KiB. */
  static final int MAX_BODY = 1 << 20;

  private Answers() {}

  /**
   * The request's body as text, or {@link BodyTooLargeException} past {@link #MAX_BODY} bytes: refused by its
   * Content-Length before anything is read, or as soon as a chunked body passes the limit, so a caller cannot make
   * the daemon hold more than that.
   */
  static Mono<String> body(HttpServerRequest request) {
    // A length that is no int (or none) is left to the count below.
    if (request.requestHeaders().getInt(HttpHeaderNames.CONTENT_LENGTH, -1) > MAX_BODY) {
      return Mono.error(new BodyTooLargeException());
    }
    AtomicLong seen = new AtomicLong();
    return ByteBufFlux.fromInbound(request.receive().handle((chunk, sink) -> {
      if (seen.addAndGet(chunk.readableBytes()) > MAX_BODY) {
        sink.error(new BodyTooLargeException());
      } else {
        sink.next(chunk);
      }
    })).aggregate().asString().defaultIfEmpty("");
  }

  /** 413 with code {@code body_too_large}. */
  static Publisher<Void> tooLarge(HttpServerResponse response) {
    return error(response, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "body_too_large",
        "the request body is over " + MAX_BODY + " bytes; a group spec or an encryption request is far smaller");
  }

  /** A body past {@link #MAX_BODY}. */
  static final class BodyTooLargeException extends RuntimeException {
    BodyTooLargeException() {
      super("request body over " + MAX_BODY + " bytes", null, false, false);
    }
  }

  /** {@code value} as JSON with {@code status}. */
  public static Publisher<Void> json(HttpServerResponse response, HttpResponseStatus status, Object value) {
    String body;
    try {
      body = JSON.writeValueAsString(value) + "\n";
    } catch (JsonProcessingException e) {
      return error(response, HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal", "could not write the answer");
    }
    return response.status(status)
        .header("Content-Type", "application/json")
        .sendString(Mono.just(body));
  }

  /** An {@link ApiError} with {@code status}. */
  public static Publisher<Void> error(HttpServerResponse response, HttpResponseStatus status, String code,
      String message) {
    return json(response, status, new ApiError(code, message));
  }
}
