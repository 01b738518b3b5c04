package dev.berth.daemon.api;

import static io.netty.handler.codec.http.HttpResponseStatus.ACCEPTED;
import static io.netty.handler.codec.http.HttpResponseStatus.BAD_REQUEST;
import static io.netty.handler.codec.http.HttpResponseStatus.BAD_GATEWAY;
import static io.netty.handler.codec.http.HttpResponseStatus.NOT_FOUND;
import static io.netty.handler.codec.http.HttpResponseStatus.OK;

import dev.berth.provisioner.controller.GroupController;
import dev.berth.provisioner.controller.GroupStatus;
import dev.berth.provisioner.controller.UnknownGroupException;
import dev.berth.provisioner.ec2.Ec2CallException;
import dev.berth.provisioner.spec.GroupSpec;
import dev.berth.provisioner.spec.SpecException;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerRoutes;

/**
 * {@code /v1/groups}: the group controllers, as the provisioner's command line drives them. A spec
 * is an InfraKit group spec, the same JSON file {@code berth-provisioner commit} takes.
 */
public final class GroupRoutes implements ApiRoutes {

  private final GroupController groups;

  /** Routes over {@code groups}. */
  public GroupRoutes(GroupController groups) {
    this.groups = groups;
  }

  @Override
  public void register(HttpServerRoutes routes) {
    routes.get("/v1/groups", (request, response) -> groups.describeAll().map(GroupView::of).collectList()
            .flatMap(all -> Mono.from(Answers.json(response, OK, all))).onErrorResume(e -> Mono.from(failed(response, e))))
        .get("/v1/groups/{id}", (request, response) -> answer(response, OK,
            groups.describe(request.param("id")).map(GroupView::of)))
        .put("/v1/groups/{id}", this::commit)
        .delete("/v1/groups/{id}", (request, response) -> answer(response, ACCEPTED, groups.destroy(request.param("id"))))
        .get("/v1/groups/{id}/instances", (request, response) -> answer(response, OK,
            groups.inspect(request.param("id"))))
        .post("/v1/groups/{id}/free", (request, response) -> answer(response, OK,
            groups.free(request.param("id")).thenReturn(new Freed(request.param("id"), true))));
  }

  /** The answer to {@code POST /v1/groups/{id}/free}. */
  record Freed(String groupId, boolean freed) {}

  private Publisher<Void> commit(HttpServerRequest request, HttpServerResponse response) {
    String id = request.param("id");
    boolean pretend = new QueryStringDecoder(request.uri()).parameters().getOrDefault("pretend", List.of("false"))
        .contains("true");
    return answer(response, OK, Answers.body(request).flatMap(body -> {
      GroupSpec spec = GroupSpec.parse(body);
      if (!spec.id().equals(id)) {
        return Mono.error(new SpecException("$.ID", "the spec's ID '" + spec.id() + "' is not the group in the path '"
            + id + "'; PUT it to /v1/groups/" + spec.id()));
      }
      return groups.commit(spec, pretend);
    }));
  }

  private static Publisher<Void> answer(HttpServerResponse response, io.netty.handler.codec.http.HttpResponseStatus status,
      Mono<?> result) {
    return result.flatMap(value -> Mono.from(Answers.json(response, status, value)))
        .onErrorResume(error -> Mono.from(failed(response, error)));
  }

  private static Publisher<Void> failed(HttpServerResponse response, Throwable error) {
    if (error instanceof Answers.BodyTooLargeException) {
      return Answers.tooLarge(response);
    }
    if (error instanceof UnknownGroupException) {
      return Answers.error(response, NOT_FOUND, "group_not_found", error.getMessage());
    }
    if (error instanceof SpecException) {
      return Answers.error(response, BAD_REQUEST, "invalid_spec", error.getMessage());
    }
    if (error instanceof Ec2CallException ec2) {
      return Answers.error(response, BAD_GATEWAY, "ec2_error", "EC2 " + ec2.code() + ": " + ec2.getMessage());
    }
    return Answers.error(response, io.netty.handler.codec.http.HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal",
        error.toString());
  }

  /**
   * A group as the API shows it.
   *
   * @param id the group
   * @param status {@code converged}, {@code converging}, {@code backing_off}, {@code failing} or {@code destroying}
   * @param desired instances its spec asks for
   * @param actual instances that exist (running or not yet)
   * @param running instances running
   * @param outOfDate instances with another configuration than the spec's
   * @param remaining what converging still takes: create, terminate, replace
   * @param lastError the last failure, with its code, time and backoff; {@code null} if the last round succeeded
   */
  record GroupView(String id, String status, int desired, int actual, int running, int outOfDate,
      dev.berth.provisioner.controller.PlanSummary remaining, dev.berth.provisioner.store.Problem lastError) {

    static GroupView of(GroupStatus group) {
      String status = group.destroying() ? "destroying"
          : group.problem().flatMap(p -> p.retryAt()).isPresent() ? "backing_off"
          : group.problem().isPresent() ? "failing"
          : group.converged() ? "converged" : "converging";
      return new GroupView(group.groupId(), status, group.desired(), group.running() + group.pending(), group.running(),
          group.outdated(), group.remaining(), group.problem().orElse(null));
    }
  }
}
