package dev.berth.daemon.api;

import static io.netty.handler.codec.http.HttpResponseStatus.ACCEPTED;
import static io.netty.handler.codec.http.HttpResponseStatus.BAD_REQUEST;
import static io.netty.handler.codec.http.HttpResponseStatus.NOT_FOUND;
import static io.netty.handler.codec.http.HttpResponseStatus.OK;

import dev.berth.daemon.EncryptionJob;
import dev.berth.daemon.EncryptionJobs;
import dev.berth.encryptor.EncryptRequest;
import dev.berth.encryptor.EncryptorException;
import java.time.Duration;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerRoutes;

/**
 * {@code /v1/encryptions}: encryption jobs, as {@code berth-encryptor encrypt} runs them. The body of
 * a {@code POST} is the command's options as JSON ({@link EncryptRequest}); the events of a job
 * are server-sent events, one {@code data:} line of JSON per change, ending with the job's end.
 */
public final class EncryptionRoutes implements ApiRoutes {

  /** How often an idle event stream sends a comment, so proxies and clients keep it open. */
  static final Duration KEEP_ALIVE = Duration.ofSeconds(15);

  private final EncryptionJobs jobs;

  /** Routes over {@code jobs}. */
  public EncryptionRoutes(EncryptionJobs jobs) {
    this.jobs = jobs;
  }

  @Override
  public void register(HttpServerRoutes routes) {
    routes.post("/v1/encryptions", this::submit)
        .get("/v1/encryptions", (request, response) -> Answers.json(response, OK, jobs.list()))
        .get("/v1/encryptions/{id}", (request, response) -> jobs.get(request.param("id"))
            .map(job -> Answers.json(response, OK, job))
            .orElseGet(() -> unknown(response, request.param("id"))))
        .get("/v1/encryptions/{id}/events", this::events)
        .delete("/v1/encryptions/{id}", (request, response) -> jobs.cancel(request.param("id"))
            .flatMap(job -> Mono.from(Answers.json(response, OK, job)))
            .switchIfEmpty(Mono.defer(() -> Mono.from(unknown(response, request.param("id"))))));
  }

  private Publisher<Void> submit(HttpServerRequest request, HttpServerResponse response) {
    return Answers.body(request)
        .map(body -> EncryptRequest.parse(body).toSpec())
        .flatMap(jobs::submit)
        .flatMap(job -> Mono.from(Answers.json(response.header("Location", "/v1/encryptions/" + job.id()), ACCEPTED, job)))
        .onErrorResume(e -> e instanceof EncryptorException || e instanceof IllegalArgumentException,
            e -> Mono.from(Answers.error(response, BAD_REQUEST, "invalid_request", e.getMessage())))
        .onErrorResume(Answers.BodyTooLargeException.class, e -> Mono.from(Answers.tooLarge(response)));
  }

  private Publisher<Void> events(HttpServerRequest request, HttpServerResponse response) {
    String id = request.param("id");
    if (jobs.get(id).isEmpty()) {
      return unknown(response, id);
    }
    Flux<String> events = jobs.events(id).map(EncryptionRoutes::event);
    Flux<String> keepAlive = Flux.interval(KEEP_ALIVE).map(tick -> ": keep-alive\n\n");
    return response.sse().sendString(events.mergeWith(keepAlive.takeUntilOther(events.then())), java.nio.charset.StandardCharsets.UTF_8);
  }

  private static String event(EncryptionJob job) {
    try {
      return "event: " + job.state() + "\ndata: " + Answers.JSON.writeValueAsString(job) + "\n\n";
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Publisher<Void> unknown(HttpServerResponse response, String id) {
    return Answers.error(response, NOT_FOUND, "encryption_not_found",
        "no encryption job '" + id + "' in this daemon (GET /v1/encryptions lists them)");
  }
}
