package dev.berth.encryptor;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * How every journaled run ends ({@code encrypt}, {@code update}, {@code share-logs}): a result is
 * kept, the temporaries are cleaned up and the journal says {@code succeeded}; or everything not
 * kept is cleaned up, by journal and by tag, and the journal says {@code cleaned} (or
 * {@code leftovers}, with what could not be deleted in the error).
 */
final class RunEndings {

  private static final Logger LOG = LoggerFactory.getLogger("berth-encryptor");

  private final Ec2AsyncClient ec2;
  private final Cleanup cleanup;

  RunEndings(Ec2AsyncClient ec2, Cleanup cleanup) {
    this.ec2 = ec2;
    this.cleanup = cleanup;
  }

  // Tagged verified first, journaled kept second: a cleanup by tag after a crash between the two
  // leaves the result alone.
  Mono<Void> keep(Session session, Journal journal, List<String> ids) {
    return Ec2Waits.call(ec2, () -> ec2.createTags(r -> r.resources(ids)
            .tags(Tag.builder().key(SessionTags.VERIFIED).value(session.id()).build())))
        .thenMany(Flux.fromIterable(ids).concatMap(journal::kept))
        .then();
  }

  /** Cleans up the temporaries (by journal: the run is alive and knows them) and ends with {@code result}. */
  <T> Mono<T> succeed(Session session, Journal journal, T result) {
    // Deferred: what was created and kept is read when this step runs, not when it is assembled.
    return Mono.defer(() -> cleanup.run(session.id(), journal.createdIds(), journal.keptIds(), false, journal))
        .flatMap(report -> report.clean()
            ? journal.finished(JournalState.SUCCEEDED).thenReturn(result)
            : journal.finished(JournalState.LEFTOVERS).then(Mono.error(leftovers(report, "made " + result))));
  }

  /** Cleans up everything not kept, by journal and by tag, and ends with the error. */
  <T> Mono<T> fail(Session session, Journal journal, String what, Duration timeout, Throwable error) {
    Throwable reason = error instanceof TimeoutException
        ? EncryptorException.failed("the run took longer than --timeout " + timeout + "; cleaned up", error)
        : error;
    LOG.warn("{} failed: {}; cleaning up session {}", what, message(reason), session.id());
    // A create call still on its way may yet make a resource: wait for its answer, then clean up,
    // so the session tag finds it.
    return journal.settled()
        .then(Mono.defer(() -> cleanup.run(session.id(), journal.createdIds(), journal.keptIds(), true, journal)))
        .flatMap(report -> journal.finished(report.clean() ? JournalState.CLEANED : JournalState.LEFTOVERS)
            .then(Mono.error(report.clean() ? failure(reason)
                : leftovers(report, what + " failed (" + message(reason) + ")"))));
  }

  private static EncryptorException failure(Throwable error) {
    return error instanceof EncryptorException e ? e : EncryptorException.failed(message(error), error);
  }

  private static EncryptorException leftovers(CleanupReport report, String what) {
    String left = String.join(", ", report.leftovers().stream().map(l -> l.id() + " (" + l.reason() + ")").toList());
    return EncryptorException.failed(what + ", but cleanup could not delete: " + left + "; run `cleanup "
        + report.sessionId() + "` to retry", null);
  }

  static String message(Throwable error) {
    return error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
  }
}
