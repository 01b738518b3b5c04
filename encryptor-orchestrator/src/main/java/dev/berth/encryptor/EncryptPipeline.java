package dev.berth.encryptor;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.ec2.model.Image;

/**
 * One {@code encrypt} run from start to result: validate (read calls only) → open the journal →
 * the strategy creates the new image (every resource journaled and tagged) → verify it → mark it
 * verified and kept → clean up the temporaries → journal {@code succeeded}. On any failure or the
 * run's deadline: cleanup of everything not kept, by journal and by tag, then the error.
 *
 * <p>Design notes: nothing in here blocks; EC2 answers arrive on the SDK's loop, journal writes
 * hop to {@code boundedElastic} and hand the run back to the loop ({@code home}). A cancelled run does not clean up by itself (cancellation does not
 * wait for the cleanup's calls); whoever cancels calls {@link Encryptor#cleanup(String)}, as the
 * command line does on Ctrl-C.
 */
final class EncryptPipeline {

  private static final Logger LOG = LoggerFactory.getLogger("berth-encryptor");

  private final Path stateDir;
  private final reactor.core.scheduler.Scheduler home;
  private final Clock clock;
  private final EncryptValidation validation;
  private final CopyImageEncryption copy;
  private final BillingProductEncryption relaunch;
  private final InstanceEncryption instance;
  private final EncryptedImageCheck check;
  private final RunEndings endings;
  // The journals of runs in progress, so that a cleanup after a cancel can wait for their create calls.
  private final java.util.Map<String, Journal> open;

  EncryptPipeline(Ec2AsyncClient ec2, Ec2Waits waits, StatusPoller poller, RunEndings endings, Path stateDir,
      Clock clock, java.util.function.Consumer<Progress> progress, java.util.Map<String, Journal> open,
      reactor.core.scheduler.Scheduler home) {
    this.open = open;
    this.home = home;
    this.stateDir = stateDir;
    this.clock = clock;
    this.validation = new EncryptValidation(ec2, new EncryptorCatalog(poller.http()), clock);
    this.copy = new CopyImageEncryption(ec2, waits);
    this.relaunch = new BillingProductEncryption(ec2, waits);
    this.instance = new InstanceEncryption(ec2, waits, poller, progress);
    this.check = new EncryptedImageCheck(ec2);
    this.endings = endings;
  }

  /**
   * Encrypts (or, with {@code update}, re-encrypts an image this tool made: under a new key,
   * keeping its name stem and tags) {@code spec}'s image.
   */
  Mono<String> run(EncryptSpec spec, Session session, boolean update) {
    Deadline deadline = Deadline.after(spec.timeout(), clock);
    return validation.check(spec, session, update)
        .doOnNext(plan -> LOG.info("encrypting {} as '{}' under {}{}", spec.imageId(), plan.name(), plan.kmsKeyId(),
            spec.strategy() == Strategy.INSTANCE ? " (encryptor instance)"
                : plan.billingProducts() ? " (billing product codes: launch, stop, CreateImage)" : " (CopyImage)"))
        .flatMap(plan -> Journal.start(stateDir, session, (update ? "update " : "encrypt ") + spec.imageId(), clock, home)
            .doOnNext(journal -> open.put(session.id(), journal))
            .flatMap(journal -> {
              Run run = new Run(session, journal, spec, deadline, SessionTags.of(session.id(), spec.tags()));
              return encrypt(run, plan)
                  .timeout(deadline.remaining())
                  .onErrorResume(e -> endings.fail(session, journal, update ? "update" : "encrypt", spec.timeout(), e))
                  .doOnTerminate(() -> open.remove(session.id()));
            }));
  }

  private Mono<String> encrypt(Run run, Plan plan) {
    Mono<Image> made = run.spec().strategy() == Strategy.INSTANCE ? instance.encrypt(run, plan)
        : plan.billingProducts() ? relaunch.encrypt(run, plan) : copy.encrypt(run, plan);
    return made
        .doOnNext(image -> LOG.info("{} is available; verifying its snapshots", image.imageId()))
        .flatMap(image -> check.verify(image, plan.kmsKeyId())
            .flatMap(snapshots -> {
              List<String> kept = new ArrayList<>(snapshots);
              kept.add(0, image.imageId());
              return endings.keep(run.session(), run.journal(), kept);
            })
            .thenReturn(image.imageId()))
        .flatMap(imageId -> endings.succeed(run.session(), run.journal(), imageId));
  }
}
