package dev.berth.provisioner.controller;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.publisher.Mono;

/**
 * Runs one job at a time, in arrival order, without holding a thread while a job waits on EC2:
 * the per-group lock of the controller.
 */
final class Lane {

  private final Queue<Runnable> waiting = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean busy = new AtomicBoolean();

  <T> Mono<T> run(Mono<T> job) {
    return Mono.create(sink -> {
      waiting.add(() -> job.doFinally(signal -> release()).subscribe(sink::success, sink::error, sink::success));
      drain();
    });
  }

  private void drain() {
    while (!waiting.isEmpty() && busy.compareAndSet(false, true)) {
      Runnable next = waiting.poll();
      if (next != null) {
        next.run();
        return;
      }
      busy.set(false);
    }
  }

  private void release() {
    busy.set(false);
    drain();
  }
}
