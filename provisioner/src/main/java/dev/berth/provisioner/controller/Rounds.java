package dev.berth.provisioner.controller;

import dev.berth.provisioner.ec2.Ec2CallException;
import dev.berth.provisioner.ec2.InstancePlugin;
import dev.berth.provisioner.ec2.Launch;
import dev.berth.provisioner.ec2.ManagedInstance;
import dev.berth.provisioner.spec.GroupSpec;
import dev.berth.provisioner.store.PendingLaunch;
import dev.berth.provisioner.store.Problem;
import dev.berth.provisioner.store.SpecStore;
import dev.berth.provisioner.store.StoredGroup;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * One round of one group, run inside the group's {@link Lane}.
 *
 * <p>Design notes. A launch is journaled before it is made: the round writes its
 * {@link PendingLaunch}es (client tokens derived from the stored launch serial) to the store,
 * calls {@code RunInstances}, and removes each entry once EC2 has answered it. A launch whose
 * answer was lost (timeout, 5xx, crash) stays pending and is repeated, same token and same
 * parameters, before the next round plans anything; EC2 then answers with the instances it
 * already launched. Failures that mean nothing happened (throttling, no capacity, 4xx) drop the
 * entry, and the next plan, from a fresh describe, launches what is still missing.
 */
final class Rounds {

  private static final Logger log = LoggerFactory.getLogger(Rounds.class);

  private final InstancePlugin plugin;
  private final SpecStore store;
  private final ControllerSettings settings;
  private final Clock clock;
  private final Scheduler scheduler;

  Rounds(InstancePlugin plugin, SpecStore store, ControllerSettings settings, Clock clock, Scheduler scheduler) {
    this.plugin = plugin;
    this.store = store;
    this.settings = settings;
    this.clock = clock;
    this.scheduler = scheduler;
  }

  Mono<RoundResult> reconcile(StoredGroup group, Pacing pacing, boolean forced) {
    if (!forced && Problems.backingOff(group.problem(), clock.instant())) {
      return Mono.just(new RoundResult(group.id(), 0, 0, PlanSummary.NONE, true, group.problem(), Optional.empty()));
    }
    AtomicReference<StoredGroup> current = new AtomicReference<>(group);
    AtomicInteger launched = new AtomicInteger();
    AtomicInteger terminated = new AtomicInteger();
    AtomicReference<PlanSummary> plan = new AtomicReference<>(PlanSummary.NONE);
    AtomicReference<List<ManagedInstance>> found = new AtomicReference<>();
    GroupSpec spec = group.spec();
    return replayPending(current, launched)
        .then(Mono.defer(() -> off(plugin.describe(spec.id(), !spec.allocation().logicalIds().isEmpty()))))
        .flatMap(observed -> {
          found.set(observed);
          plan.set(Planner.summary(spec, observed));
          boolean mayStart = pacing.mayStart(spec, observed, clock.instant());
          Step step = Planner.step(spec, observed, settings.maxInstancesPerGroup(), mayStart);
          step.waiting().ifPresent(why -> log.debug("{}: {}", spec.id(), why));
          Mono<Integer> terminations = step.terminate().isEmpty() ? Mono.just(0)
              : Mono.fromRunnable(() -> log.info("{}: terminating {} instance(s){}", spec.id(), step.terminate().size(),
                  step.rolling() ? " (rolling update)" : "")).then(off(plugin.terminate(step.terminate())));
          return terminations
              .doOnNext(count -> {
                terminated.addAndGet(count);
                if (step.rolling()) {
                  pacing.batchStarted();
                }
              })
              .then(Mono.defer(() -> launch(current, step.launches(), launched)));
        })
        .then(Mono.defer(() -> settle(current.get(), Optional.empty())))
        .onErrorResume(Ec2CallException.class, error -> {
          Problem problem = Problems.after(error, current.get().problem(), clock.instant(),
              settings.backoffBase(), settings.backoffMax());
          log.warn("{}: {}{}", spec.id(), error.getMessage(),
              problem.retryAt().map(t -> "; backing off until " + t).orElse(""));
          return settle(current.get(), Optional.of(problem));
        })
        .map(settled -> new RoundResult(spec.id(), launched.get(), terminated.get(), plan.get(), false, settled.problem(),
            Optional.ofNullable(found.get()).map(observed -> GroupStatus.of(settled, observed))));
  }

  Mono<DestroyResult> destroyPass(StoredGroup group) {
    Mono<StoredGroup> marked = group.destroying() ? Mono.just(group)
        : store.save(group.markDestroying()).thenReturn(group.markDestroying());
    return marked.flatMap(g -> off(plugin.describe(g.id(), true))
        .flatMap(observed -> {
          List<String> ids = observed.stream().filter(i -> !i.state().equals("shutting-down"))
              .map(ManagedInstance::id).toList();
          Mono<Integer> terminate = ids.isEmpty() ? Mono.just(0) : off(plugin.terminate(ids));
          return terminate.flatMap(count -> {
            if (observed.isEmpty()) {
              log.info("{}: every instance is terminated; forgetting the group", g.id());
              return store.delete(g.id()).thenReturn(new DestroyResult(g.id(), 0, 0, true, Optional.empty()));
            }
            return settle(g, Optional.empty())
                .thenReturn(new DestroyResult(g.id(), count, observed.size(), false, Optional.empty()));
          });
        })
        .onErrorResume(Ec2CallException.class, error -> {
          Problem problem = Problems.after(error, g.problem(), clock.instant(), settings.backoffBase(), settings.backoffMax());
          log.warn("{}: destroy: {}", g.id(), error.getMessage());
          return settle(g, Optional.of(problem)).map(s -> new DestroyResult(g.id(), 0, -1, false, Optional.of(problem)));
        }));
  }

  /** Repeats every launch whose answer is unknown, with its own token; nothing else happens until they are answered. */
  private Mono<Void> replayPending(AtomicReference<StoredGroup> current, AtomicInteger launched) {
    StoredGroup group = current.get();
    if (group.pendingLaunches().isEmpty()) {
      return Mono.empty();
    }
    log.info("{}: repeating {} launch(es) whose outcome is unknown", group.id(), group.pendingLaunches().size());
    return Flux.fromIterable(group.pendingLaunches())
        .concatMap(pending -> off(plugin.launch(launch(group.spec(), pending)))
            .doOnNext(instances -> launched.addAndGet(instances.size()))
            .onErrorResume(e -> e instanceof Ec2CallException c && c.code().equals("IdempotentParameterMismatch"),
                e -> Mono.just(List.of()))
            .then(Mono.defer(() -> {
              List<PendingLaunch> left = new ArrayList<>(current.get().pendingLaunches());
              left.remove(pending);
              current.set(current.get().withLaunches(current.get().launchSerial(), left));
              return store.save(current.get());
            })))
        .then();
  }

  private Mono<Void> launch(AtomicReference<StoredGroup> current, List<Optional<String>> wanted, AtomicInteger launched) {
    if (wanted.isEmpty()) {
      return Mono.empty();
    }
    StoredGroup group = current.get();
    GroupSpec spec = group.spec();
    long serial = group.launchSerial() + 1;
    List<PendingLaunch> pending = new ArrayList<>();
    if (spec.allocation().logicalIds().isEmpty()) {
      for (int start = 0; start < wanted.size(); start += settings.launchBatch()) {
        int count = Math.min(settings.launchBatch(), wanted.size() - start);
        pending.add(new PendingLaunch(Problems.clientToken(spec.id(), spec.configHash(), serial, pending.size()), count,
            Optional.empty()));
      }
    } else {
      wanted.forEach(address -> pending.add(new PendingLaunch(
          Problems.clientToken(spec.id(), spec.configHash(), serial, pending.size()), 1, address)));
    }
    current.set(group.withLaunches(serial, pending));
    log.info("{}: launching {} instance(s) in {} call(s)", spec.id(), wanted.size(), pending.size());
    List<Throwable> failures = new ArrayList<>();
    return store.save(current.get())
        .thenMany(Flux.fromIterable(pending).flatMap(p -> off(plugin.launch(launch(spec, p)))
            .doOnNext(instances -> launched.addAndGet(instances.size()))
            .then(Mono.fromRunnable(() -> answered(current, p)))
            .onErrorResume(Ec2CallException.class, e -> {
              synchronized (failures) {
                failures.add(e);
              }
              if (e.kind() != Ec2CallException.Kind.TRANSIENT) {
                answered(current, p);
              }
              return Mono.empty();
            }), settings.launchConcurrency()))
        .then(Mono.defer(() -> store.save(current.get())))
        .then(Mono.defer(() -> failures.isEmpty() ? Mono.empty() : Mono.error(failures.get(0))));
  }

  private static void answered(AtomicReference<StoredGroup> current, PendingLaunch launch) {
    current.updateAndGet(g -> {
      List<PendingLaunch> left = new ArrayList<>(g.pendingLaunches());
      left.remove(launch);
      return g.withLaunches(g.launchSerial(), left);
    });
  }

  /** Stores the group with {@code problem} (or none), when that changes what is stored. */
  private Mono<StoredGroup> settle(StoredGroup group, Optional<Problem> problem) {
    StoredGroup settled = group.withProblem(problem);
    return settled.equals(group) ? Mono.just(settled) : store.save(settled).thenReturn(settled);
  }

  static Launch launch(GroupSpec spec, PendingLaunch pending) {
    return new Launch(spec, pending.count(), pending.privateIpAddress(), pending.clientToken());
  }

  private <T> Mono<T> off(Mono<T> call) {
    return call.publishOn(scheduler);
  }
}
