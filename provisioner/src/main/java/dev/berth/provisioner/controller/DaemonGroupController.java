package dev.berth.provisioner.controller;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.provisioner.ec2.Ec2CallException;
import dev.berth.provisioner.ec2.ManagedInstance;
import dev.berth.provisioner.spec.GroupSpec;
import dev.berth.provisioner.spec.SpecException;
import dev.berth.provisioner.store.Problem;
import dev.berth.runtime.DaemonClient;
import dev.berth.runtime.DaemonClient.DaemonException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/*
 * Design notes. The command line's commands are written against GroupController; pointed at a
 * daemon they get this one, which asks the daemon's control API and turns its answers (and its
 * errors, by their stable codes) back into the same results and exceptions, so a command prints
 * the same whichever controller it has. The daemon reconciles its groups itself: reconcile and
 * watch are refused with that advice.
 */

/** A {@link GroupController} that is a Berth daemon's, reached through its control API. */
final class DaemonGroupController implements GroupController {

  private final DaemonClient daemon;
  private final java.util.Set<String> destroying = java.util.concurrent.ConcurrentHashMap.newKeySet();

  DaemonGroupController(DaemonClient daemon) {
    this.daemon = daemon;
  }

  @Override
  public Mono<CommitResult> commit(GroupSpec spec, boolean pretend) {
    return call("PUT", group(spec.id()) + (pretend ? "?pretend=true" : ""), spec.json(), spec.id())
        .map(json -> new CommitResult(json.path("groupId").asText(), json.path("managing").asInt(), plan(json.path("plan")),
            json.path("pretend").asBoolean(), problem(json.path("problem"))));
  }

  @Override
  public Mono<RoundResult> reconcile(String groupId) {
    return Mono.error(new IllegalStateException("the daemon reconciles its groups itself; run this without --daemon"));
  }

  @Override
  public Flux<RoundResult> reconcileAll() {
    return Flux.error(new IllegalStateException("the daemon reconciles its groups itself; run this without --daemon"));
  }

  @Override
  public Flux<RoundResult> watch() {
    return Flux.error(new IllegalStateException("the daemon watches its groups itself; 'describe' shows where they "
        + "stand (or run watch without --daemon)"));
  }

  @Override
  public Mono<GroupStatus> describe(String groupId) {
    return call("GET", group(groupId), null, groupId).map(DaemonGroupController::status);
  }

  @Override
  public Flux<GroupStatus> describeAll() {
    return call("GET", "/v1/groups", null, null).flatMapIterable(json -> json).map(DaemonGroupController::status);
  }

  @Override
  public Mono<List<ManagedInstance>> inspect(String groupId) {
    return call("GET", group(groupId) + "/instances", null, groupId).map(json -> {
      List<ManagedInstance> instances = new java.util.ArrayList<>();
      for (JsonNode instance : json) {
        java.util.Map<String, String> tags = new java.util.TreeMap<>();
        instance.path("tags").fields().forEachRemaining(tag -> tags.put(tag.getKey(), tag.getValue().asText()));
        JsonNode address = instance.path("privateIpAddress");
        instances.add(new ManagedInstance(instance.path("id").asText(),
            address.isTextual() ? Optional.of(address.asText()) : Optional.empty(), instance.path("state").asText(), tags,
            Instant.parse(instance.path("launchTime").asText())));
      }
      return List.copyOf(instances);
    });
  }

  @Override
  public Mono<DestroyResult> destroy(String groupId) {
    return call("DELETE", group(groupId), null, groupId)
        .doOnNext(json -> destroying.add(groupId))
        .map(json -> new DestroyResult(json.path("groupId").asText(), json.path("terminated").asInt(),
            json.path("remaining").asInt(), json.path("done").asBoolean(), problem(json.path("problem"))))
        // The daemon finishes a destroy itself and then forgets the group: gone is done.
        .onErrorResume(UnknownGroupException.class, gone -> destroying.contains(groupId)
            ? Mono.just(new DestroyResult(groupId, 0, 0, true, Optional.empty())) : Mono.error(gone));
  }

  @Override
  public Mono<Void> free(String groupId) {
    return call("POST", group(groupId) + "/free", "", groupId).then();
  }

  private Mono<JsonNode> call(String method, String path, String body, String groupId) {
    return daemon.call(method, path, body).onErrorMap(DaemonException.class, error -> switch (error.code()) {
      case "group_not_found" -> new UnknownGroupException(groupId);
      case "invalid_spec" -> spec(error.getMessage());
      case "ec2_error" -> new Ec2CallException("", Ec2CallException.Kind.PERMANENT, error.getMessage(), null);
      default -> error;
    });
  }

  private static SpecException spec(String message) {
    int colon = message.indexOf(": ");
    return colon < 0 ? new SpecException("$", message)
        : new SpecException(message.substring(0, colon), message.substring(colon + 2));
  }

  private static String group(String groupId) {
    return "/v1/groups/" + URLEncoder.encode(groupId, StandardCharsets.UTF_8);
  }

  private static GroupStatus status(JsonNode json) {
    int actual = json.path("actual").asInt();
    int running = json.path("running").asInt();
    return new GroupStatus(json.path("id").asText(), json.path("desired").asInt(), running, actual - running,
        json.path("outOfDate").asInt(), plan(json.path("remaining")), json.path("status").asText().equals("destroying"),
        problem(json.path("lastError")));
  }

  private static PlanSummary plan(JsonNode json) {
    return new PlanSummary(json.path("create").asInt(), json.path("terminate").asInt(), json.path("replace").asInt());
  }

  private static Optional<Problem> problem(JsonNode json) {
    if (json.isMissingNode() || json.isNull()) {
      return Optional.empty();
    }
    JsonNode retryAt = json.path("retryAt");
    return Optional.of(new Problem(json.path("code").asText(), json.path("message").asText(),
        Instant.parse(json.path("at").asText()), json.path("attempts").asInt(),
        retryAt.isMissingNode() || retryAt.isNull() ? Optional.empty() : Optional.of(Instant.parse(retryAt.asText()))));
  }
}
