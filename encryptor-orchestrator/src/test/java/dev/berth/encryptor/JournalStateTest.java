package dev.berth.encryptor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class JournalStateTest {

  @TempDir
  Path dir;

  @Test
  void read_whatWasWritten_pendingIsCreatedMinusKeptAndDeleted() {
    Session session = session(ProcessHandle.current().pid(), ProcessHandle.current().info().startInstant().orElse(null));
    Journal journal = Journal.start(dir, session, "encrypt ami-12345678", Clock.systemUTC(), reactor.core.scheduler.Schedulers.immediate()).block();
    journal.creating(ResourceKind.IMAGE, "t").then(journal.created("ami-0000000000000000a"))
        .then(journal.created("snap-0000000000000000a")).then(journal.created("i-0000000000000000a"))
        .then(journal.kept("ami-0000000000000000a")).then(journal.deleted("i-0000000000000000a")).block();

    JournalState state = JournalState.read(journal.file());

    assertThat(state.sessionId()).isEqualTo(session.id());
    assertThat(state.pid()).isEqualTo(session.pid());
    assertThat(state.host()).isEqualTo(session.host());
    assertThat(state.pending()).containsExactly("snap-0000000000000000a");
    assertThat(state.outcome()).isEmpty();
    assertThat(state.unfinished()).isTrue();
  }

  @Test
  void read_tornLastLine_ignored() throws Exception {
    Journal journal = Journal.start(dir, session(1, null), "encrypt", Clock.systemUTC(), reactor.core.scheduler.Schedulers.immediate()).block();
    journal.created("ami-0000000000000000b").block();
    Files.writeString(journal.file(), "{\"event\":\"created\",\"id\":\"ami-00", StandardCharsets.UTF_8,
        java.nio.file.StandardOpenOption.APPEND);

    assertThat(JournalState.read(journal.file()).created()).containsExactly("ami-0000000000000000b");
  }

  @Test
  void stale_processGone_thisHost_yes() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();

    assertThat(state(session(gone.pid(), null)).stale(Session.hostName())).isTrue();
  }

  @Test
  void stale_processAlive_no_otherHost_no_finished_no() {
    ProcessHandle self = ProcessHandle.current();
    Session alive = session(self.pid(), self.info().startInstant().orElse(null));

    assertThat(state(alive).stale(Session.hostName())).isFalse();
    assertThat(state(session(Long.MAX_VALUE, null)).stale("another-host")).isFalse();
    Journal journal = Journal.reopen(Journal.file(dir, alive.id()), Clock.systemUTC(), reactor.core.scheduler.Schedulers.immediate());
    journal.finished(JournalState.CLEANED).block();
    assertThat(JournalState.read(journal.file()).unfinished()).isFalse();
  }

  @Test
  void stale_pidReusedByAnotherProcess_yes() {
    ProcessHandle self = ProcessHandle.current();
    Session reused = session(self.pid(), Instant.parse("2000-01-01T00:00:00Z"));

    assertThat(state(reused).stale(Session.hostName())).isEqualTo(self.info().startInstant().isPresent());
  }

  private JournalState state(Session session) {
    Journal journal = Journal.start(dir, session, "encrypt", Clock.systemUTC(), reactor.core.scheduler.Schedulers.immediate()).block();
    return JournalState.read(journal.file());
  }

  private static Session session(long pid, Instant processStart) {
    Session random = Session.create();
    return new Session(random.id(), pid, processStart, random.host(), random.started());
  }
}
