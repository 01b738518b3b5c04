package dev.berth.provisioner.bench;

import dev.berth.provisioner.controller.ControllerSettings;
import dev.berth.provisioner.controller.GroupController;
import dev.berth.provisioner.controller.GroupStatus;
import dev.berth.runtime.BerthRuntime;
import dev.berth.provisioner.ec2.InstancePlugin;
import dev.berth.provisioner.spec.GroupSpec;
import dev.berth.provisioner.store.SpecStore;
import dev.berth.testing.Ec2Emulator;
import io.netty.channel.nio.NioEventLoopGroup;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * A commit of {@code Size: N} against the EC2 emulator, converged by the group controller, next to
 * InfraKit's way measured in the same run on the same client: one {@code RunInstances} of one
 * instance, then one {@code CreateTags}, per instance, with as many in flight as the client allows.
 *
 * <p>Run by {@code bench/provisioner-converge.sh}. Prints a Markdown table. Not a test: timings vary
 * with the machine; the call counts do not.
 */
@SuppressWarnings("deprecation") // NioEventLoopGroup: the only portable group the SDK accepts.
public final class ConvergeBenchmark {

  private ConvergeBenchmark() {}

  public static void main(String[] args) throws Exception {
    int size = args.length > 0 ? Integer.parseInt(args[0]) : 500;
    int repetitions = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    NioEventLoopGroup loop = new NioEventLoopGroup(2);
    try {
      System.out.println("| way | batch | RunInstances | CreateTags | DescribeInstances pages per round | rounds | time to converge (median of "
          + repetitions + ") |");
      System.out.println("|---|---|---|---|---|---|---|");
      warmUp(loop, size);
      for (int batch : new int[] {100, 50}) {
        List<Result> results = new ArrayList<>();
        for (int i = 0; i < repetitions; i++) {
          results.add(berth(loop, size, batch));
        }
        print("Berth controller", String.valueOf(batch), results);
      }
      List<Result> baseline = new ArrayList<>();
      for (int i = 0; i < repetitions; i++) {
        baseline.add(perInstance(loop, size));
      }
      print("one call per instance (InfraKit)", "1", baseline);
    } finally {
      loop.shutdownGracefully(100, 2_000, TimeUnit.MILLISECONDS).syncUninterruptibly();
    }
  }

  // Both ways once, untimed, so the JIT has seen both before anything is measured.
  private static void warmUp(NioEventLoopGroup loop, int size) {
    berth(loop, size, 100);
    perInstance(loop, Math.min(size, 100));
  }

  /** Commit, then reconcile until every instance runs; pending lasts 0 s so only the API work is timed. */
  private static Result berth(NioEventLoopGroup loop, int size, int batch) {
    try (Ec2Emulator ec2 = Ec2Emulator.builder().pendingDuration(Duration.ZERO).start();
         Ec2AsyncClient client = BerthRuntime.builder().loopResources(useNative -> loop).region("us-west-2").ec2Endpoint(ec2.endpoint()).ec2MaxAttempts(3).build().ec2()) {
      GroupController groups = GroupController.create(InstancePlugin.ec2(client), SpecStore.inMemory(),
          ControllerSettings.defaults().withMaxInstancesPerGroup(size).withLaunchBatch(batch), Clock.systemUTC());
      GroupSpec spec = GroupSpec.parse(spec(size));
      long start = System.nanoTime();
      groups.commit(spec, false).block();
      int rounds = 1;
      GroupStatus status = groups.describe("bench").block();
      while (!status.converged()) {
        groups.reconcile("bench").block();
        rounds++;
        status = groups.describe("bench").block();
      }
      long elapsed = System.nanoTime() - start;
      int before = ec2.calls("DescribeInstances");
      groups.reconcile("bench").block();
      int pagesPerRound = ec2.calls("DescribeInstances") - before;
      return new Result(ec2.calls("RunInstances"), ec2.calls("CreateTags"), pagesPerRound, rounds, elapsed, ec2.instances().size());
    }
  }

  /** InfraKit's provisioning: per instance, RunInstances(MinCount=MaxCount=1), then CreateTags. */
  private static Result perInstance(NioEventLoopGroup loop, int size) {
    try (Ec2Emulator ec2 = Ec2Emulator.builder().pendingDuration(Duration.ZERO).start();
         Ec2AsyncClient client = BerthRuntime.builder().loopResources(useNative -> loop).region("us-west-2").ec2Endpoint(ec2.endpoint()).ec2MaxAttempts(3).build().ec2()) {
      long start = System.nanoTime();
      Flux.range(0, size).flatMap(i -> Mono.fromFuture(() -> client.runInstances(r -> r.imageId("ami-4926fd29")
              .instanceType("t3.micro").minCount(1).maxCount(1)))
          .flatMap(reservation -> Mono.fromFuture(() -> client.createTags(r -> r
              .resources(reservation.instances().get(0).instanceId())
              .tags(tags())))), 64)
          .then(Mono.fromFuture(() -> client.describeInstances(r -> r.filters(
              software.amazon.awssdk.services.ec2.model.Filter.builder().name("tag:infrakit.group").values("bench").build()))))
          .block();
      long elapsed = System.nanoTime() - start;
      return new Result(ec2.calls("RunInstances"), ec2.calls("CreateTags"), 1, 1, elapsed, ec2.instances().size());
    }
  }

  private static List<Tag> tags() {
    return Map.of("infrakit.group", "bench", "infrakit.config.hash", "x", "tier", "bench").entrySet().stream()
        .map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build()).toList();
  }

  private static String spec(int size) {
    return """
        {"ID": "bench", "Properties": {"Allocation": {"Size": %d},
          "Instance": {"Plugin": "aws/ec2-instance", "Properties": {
            "RunInstancesInput": {"ImageId": "ami-4926fd29", "InstanceType": "t3.micro"}, "Tags": {"tier": "bench"}}},
          "Flavor": {"Plugin": "vanilla", "Properties": {"Init": ["#!/bin/sh"]}}}}
        """.formatted(size);
  }

  private static void print(String way, String batch, List<Result> results) {
    List<Long> times = new ArrayList<>(results.stream().map(Result::nanos).toList());
    Collections.sort(times);
    Result first = results.get(0);
    System.out.printf("| %s | %s | %d | %d | %d | %d | %d ms |%n", way, batch, first.runInstances(), first.createTags(),
        first.pagesPerRound(), first.rounds(), TimeUnit.NANOSECONDS.toMillis(times.get(times.size() / 2)));
    results.forEach(r -> {
      if (r.instances() != results.get(0).instances()) {
        throw new IllegalStateException("runs launched different numbers of instances: " + results);
      }
    });
  }

  private record Result(int runInstances, int createTags, int pagesPerRound, int rounds, long nanos, int instances) {}
}
