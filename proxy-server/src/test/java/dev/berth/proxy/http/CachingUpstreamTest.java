package dev.berth.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.proxy.http.Upstream.Answer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

class CachingUpstreamTest {

  private static final Duration TTL = Duration.ofSeconds(1);
  private static final Duration WAIT = Duration.ofSeconds(5);

  /** An upstream whose answers the test releases by hand, recording every request it receives. */
  private static final class HeldUpstream implements Upstream {
    final List<String> requests = new ArrayList<>();
    final List<Sinks.One<Answer>> pending = new ArrayList<>();

    @Override
    public synchronized Mono<Answer> get(String pathAndQuery) {
      requests.add(pathAndQuery);
      Sinks.One<Answer> answer = Sinks.one();
      pending.add(answer);
      return answer.asMono();
    }

    synchronized void answerAll(int status, String body) {
      pending.forEach(sink -> sink.tryEmitValue(answer(status, body)));
      pending.clear();
    }

    synchronized void failAll() {
      pending.forEach(sink -> sink.tryEmitError(new IllegalStateException("upstream down")));
      pending.clear();
    }
  }

  private final AtomicLong nanos = new AtomicLong();
  private final HeldUpstream upstream = new HeldUpstream();
  private final CachingUpstream cached = new CachingUpstream(upstream, TTL, nanos::get);

  @Test
  void identicalRequestsInFlight_oneUpstreamRequest_everyCallerAnswered() {
    List<Mono<Answer>> callers = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      callers.add(cached.get("/latest/meta-data/placement/region").cache());
      callers.get(i).subscribe();
    }
    upstream.answerAll(200, "us-east-1");

    assertThat(upstream.requests).hasSize(1);
    for (Mono<Answer> caller : callers) {
      assertThat(body(caller.block(WAIT))).isEqualTo("us-east-1");
    }
  }

  @Test
  void answerKeptForTtl_thenFetchedAgain() {
    cached.get("/latest/meta-data/instance-id").subscribe();
    upstream.answerAll(200, "i-1");
    nanos.addAndGet(TTL.toNanos() - 1);
    assertThat(body(cached.get("/latest/meta-data/instance-id").block(WAIT))).isEqualTo("i-1");
    assertThat(upstream.requests).hasSize(1);

    nanos.addAndGet(1);
    Mono<Answer> later = cached.get("/latest/meta-data/instance-id").cache();
    later.subscribe();
    upstream.answerAll(200, "i-2");
    assertThat(body(later.block(WAIT))).isEqualTo("i-2");
    assertThat(upstream.requests).hasSize(2);
  }

  @Test
  void differentPathsAndQueries_notShared() {
    cached.get("/latest/meta-data/instance-id").subscribe();
    cached.get("/latest/meta-data/instance-id?x=1").subscribe();
    cached.get("/latest/meta-data/ami-id").subscribe();
    assertThat(upstream.requests).containsExactly("/latest/meta-data/instance-id",
        "/latest/meta-data/instance-id?x=1", "/latest/meta-data/ami-id");
  }

  @Test
  void absentData404_kept() {
    cached.get("/latest/meta-data/spot/instance-action").subscribe();
    upstream.answerAll(404, "Not Found");
    assertThat(cached.get("/latest/meta-data/spot/instance-action").block(WAIT).status()).isEqualTo(404);
    assertThat(upstream.requests).hasSize(1);
  }

  @Test
  void serverErrorsAndUnauthorized_notKept() {
    for (int status : new int[] {500, 503, 401, 429}) {
      Mono<Answer> first = cached.get("/latest/meta-data/hostname").cache();
      first.subscribe();
      upstream.answerAll(status, "nope");
      assertThat(first.block(WAIT).status()).isEqualTo(status);
    }
    cached.get("/latest/meta-data/hostname").subscribe();
    assertThat(upstream.requests).hasSize(5);
  }

  @Test
  void failure_reachesEveryWaiter_andIsNotKept() {
    Mono<Answer> first = cached.get("/latest/meta-data/hostname").cache();
    Mono<Answer> second = cached.get("/latest/meta-data/hostname").cache();
    first.subscribe(answer -> {}, error -> {});
    second.subscribe(answer -> {}, error -> {});
    upstream.failAll();

    assertThatThrownBy(() -> first.block(WAIT)).hasMessageContaining("upstream down");
    assertThatThrownBy(() -> second.block(WAIT)).hasMessageContaining("upstream down");
    cached.get("/latest/meta-data/hostname").subscribe();
    assertThat(upstream.requests).hasSize(2);
  }

  @Test
  void oneCallerGivingUp_doesNotCancelTheOthers() {
    Disposable impatient = cached.get("/latest/meta-data/hostname").subscribe();
    Mono<Answer> patient = cached.get("/latest/meta-data/hostname").cache();
    patient.subscribe();
    impatient.dispose();
    upstream.answerAll(200, "ip-10-0-0-1");
    assertThat(body(patient.block(WAIT))).isEqualTo("ip-10-0-0-1");
  }

  @Test
  void synchronousUpstreamErrorStatus_notKept() {
    CachingUpstream overDisabled = new CachingUpstream(path -> Mono.just(answer(503, "busy")), TTL, nanos::get);
    assertThat(overDisabled.get("/latest/meta-data/hostname").block(WAIT).status()).isEqualTo(503);
    HeldUpstream counting = new HeldUpstream();
    CachingUpstream overSynchronous = new CachingUpstream(path -> {
      counting.requests.add(path);
      return Mono.just(answer(503, "busy"));
    }, TTL, nanos::get);
    overSynchronous.get("/a").block(WAIT);
    overSynchronous.get("/a").block(WAIT);
    assertThat(counting.requests).hasSize(2);
  }

  @Test
  void keptBytesAreBounded() {
    String big = "x".repeat(64 * 1024);
    int paths = (int) (2 * CachingUpstream.MAX_BYTES / big.length());
    for (int i = 0; i < paths; i++) {
      cached.get("/latest/user-data?" + i).subscribe();
      upstream.answerAll(200, big);
    }
    long kept = 0;
    for (int i = 0; i < paths; i++) {
      int before = upstream.requests.size();
      Mono<Answer> again = cached.get("/latest/user-data?" + i).cache();
      again.subscribe();
      kept += upstream.requests.size() == before ? 1 : 0;
      upstream.answerAll(200, big);
    }
    assertThat(kept * big.length()).isLessThanOrEqualTo(CachingUpstream.MAX_BYTES);
  }

  private static Answer answer(int status, String body) {
    return new Answer(status, "text/plain", body.getBytes(StandardCharsets.UTF_8));
  }

  private static String body(Answer answer) {
    return new String(answer.body(), StandardCharsets.UTF_8);
  }
}
