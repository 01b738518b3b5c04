package dev.berth.encryptor;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * One {@code encrypt} run from start to result: validate (read calls only) → open the journal →
 * the strategy creates the new image (every resource journaled and tagged) → verify it → mark it
 * verified and kept → clean up the temporaries → journal {@code succeeded}. On any failure or the
 * run's deadline: cleanup of everything not kept, by journal and by tag, then the error.
 *
 * <p>Design notes: nothing in here blocks; EC2 answers arrive on the SDK's loop and journal writes
 * hop to {@code boundedElastic}. A cancelled run does not clean up by itself (cancellation does not
 * wait for the cleanup's calls); whoever cancels calls {@link Encryptor#cleanup(String)}, as the
 * command line does on Ctrl-C.
 */
final class EncryptPipeline {

  private static final Logger LOG = LoggerFactory.getLogger("berth-encryptor");

  private final Ec2AsyncClient ec2;
  private final Path stateDir;
  private final Clock clock;
  private final EncryptValidation validation;
  private final CopyImageEncryption copy;
  private final BillingProductEncryption relaunch;
  private final EncryptedImageCheck check;
  private final Cleanup cleanup;

  EncryptPipeline(Ec2AsyncClient ec2, Ec2Waits waits, Cleanup cleanup, Path stateDir, Clock clock) {
    this.ec2 = ec2;
    this.stateDir = stateDir;
    this.clock = clock;
    this.validation = new EncryptValidation(ec2, clock);
    this.copy = new CopyImageEncryption(ec2, waits);
    this.relaunch = new BillingProductEncryption(ec2, waits);
    this.check = new EncryptedImageCheck(ec2);
    this.cleanup = cleanup;
  }

  /**
   * Encrypts (or, with {@code update}, re-encrypts an image this tool made: under a new key,
   * keeping its name stem and tags) {@code spec}'s image.
   */
  Mono<String> run(EncryptSpec spec, Session session, boolean update) {
    if (spec.strategy() == Strategy.INSTANCE) {
      return Mono.error(EncryptorException.invalid("--strategy instance is not available yet; expected --strategy native"));
    }
    Deadline deadline = Deadline.after(spec.timeout(), clock);
    return validation.check(spec, session, update)
        .doOnNext(plan -> LOG.info("encrypting {} as '{}' under {}{}", spec.imageId(), plan.name(), plan.kmsKeyId(),
            plan.billingProducts() ? " (billing product codes: launch, stop, CreateImage)" : " (CopyImage)"))
        .flatMap(plan -> Journal.start(stateDir, session, (update ? "update " : "encrypt ") + spec.imageId(), clock)
            .flatMap(journal -> {
              Run run = new Run(session, journal, spec, deadline, SessionTags.of(session.id(), spec.tags()));
              return encrypt(run, plan)
                  .timeout(deadline.remaining())
                  .onErrorResume(e -> failed(run, e));
            }));
  }

  private Mono<String> encrypt(Run run, Plan plan) {
    Mono<Image> made = plan.billingProducts() ? relaunch.encrypt(run, plan) : copy.encrypt(run, plan);
    return made
        .doOnNext(image -> LOG.info("{} is available; verifying its snapshots", image.imageId()))
        .flatMap(image -> check.verify(image, plan.kmsKeyId())
            .flatMap(snapshots -> keep(run, image.imageId(), snapshots)).thenReturn(image.imageId()))
        .flatMap(imageId -> cleanup.run(run.session().id(), run.journal().createdIds(), run.journal().keptIds(), false,
                run.journal())
            .flatMap(report -> report.clean()
                ? run.journal().finished(JournalState.SUCCEEDED).thenReturn(imageId)
                : run.journal().finished(JournalState.LEFTOVERS).then(Mono.error(leftovers(report, "made " + imageId)))));
  }

  // Tagged verified first, journaled kept second: a cleanup by tag after a crash between the two
  // leaves the result alone.
  private Mono<Void> keep(Run run, String imageId, List<String> snapshots) {
    List<String> ids = new ArrayList<>(snapshots);
    ids.add(0, imageId);
    return Ec2Waits.call(() -> ec2.createTags(r -> r.resources(ids)
            .tags(Tag.builder().key(SessionTags.VERIFIED).value(run.session().id()).build())))
        .thenMany(Flux.fromIterable(ids).concatMap(id -> run.journal().kept(id)))
        .then();
  }

  private Mono<String> failed(Run run, Throwable error) {
    Throwable reason = error instanceof TimeoutException
        ? EncryptorException.failed("the run took longer than --timeout " + run.spec().timeout() + "; cleaned up", error)
        : error;
    LOG.warn("encrypt failed: {}; cleaning up session {}", message(reason), run.session().id());
    return cleanup.run(run.session().id(), run.journal().createdIds(), run.journal().keptIds(), true, run.journal())
        .flatMap(report -> run.journal().finished(report.clean() ? JournalState.CLEANED : JournalState.LEFTOVERS)
            .then(Mono.error(report.clean() ? failure(reason) : leftovers(report, "encrypt failed (" + message(reason) + ")"))));
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
