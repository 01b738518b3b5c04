package dev.berth.daemon.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerResponse;

/** How the control API answers: JSON bodies written by Jackson, errors as {@link ApiError}. */
public final class Answers {

  /** The one mapper of the control API: ISO-8601 times, records as objects. */
  public static final ObjectMapper JSON = new ObjectMapper()
      .registerModule(new JavaTimeModule())
      .registerModule(new Jdk8Module())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

  private Answers() {}

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
