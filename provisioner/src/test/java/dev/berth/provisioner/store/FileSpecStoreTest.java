package dev.berth.provisioner.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.provisioner.TestSpecs;
import dev.berth.provisioner.spec.GroupSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class FileSpecStoreTest {

  @TempDir
  Path dir;

  @Test
  void save_thenLoad_everyFieldBack() {
    SpecStore store = SpecStore.directory(dir.resolve("groups"));
    GroupSpec spec = GroupSpec.parse(TestSpecs.EXAMPLE);
    StoredGroup group = new StoredGroup(spec, true, 7,
        List.of(new PendingLaunch("berth-abc", 3, Optional.empty()), new PendingLaunch("berth-def", 1, Optional.of("10.0.0.5"))),
        Optional.of(new Problem("RequestLimitExceeded", "Request limit exceeded.", Instant.parse("2026-03-01T12:00:00Z"), 2,
            Optional.of(Instant.parse("2026-03-01T12:00:20Z")))));

    store.save(group).block();

    assertThat(store.load("aws-example").block()).isEqualTo(group);
    assertThat(store.list().collectList().block()).containsExactly(group);
    assertThat(SpecStore.directory(dir.resolve("groups")).load("aws-example").block().spec().configHash())
        .isEqualTo("iififwhdtfvy4mk2davcik2lxu57cgq3");
  }

  @Test
  void file_keepsTheSpecAsCommittedAndNoTemporaryFiles() throws IOException {
    SpecStore store = SpecStore.directory(dir);
    store.save(StoredGroup.committed(GroupSpec.parse(TestSpecs.EXAMPLE))).block();
    store.save(StoredGroup.committed(TestSpecs.size("web", 2))).block();

    assertThat(Files.readString(dir.resolve("aws-example.json"))).contains("\"Spec\"", "\"ami-4926fd29\"", "\"LaunchSerial\"");
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()).sorted()).containsExactly("aws-example.json", "web.json");
    }
  }

  @Test
  void delete_andLoadMissing_empty() {
    SpecStore store = SpecStore.directory(dir);
    store.save(StoredGroup.committed(TestSpecs.size("web", 2))).block();

    store.delete("web").block();
    store.delete("web").block();

    assertThat(store.load("web").blockOptional()).isEmpty();
    assertThat(SpecStore.directory(dir.resolve("missing")).list().collectList().block()).isEmpty();
  }

  @Test
  void load_handEditedBrokenSpec_namesTheFile() throws IOException {
    Files.writeString(dir.resolve("web.json"), "{\"Spec\": {\"ID\": \"web\"}}");

    assertThatThrownBy(() -> SpecStore.directory(dir).load("web").block())
        .hasMessageContaining("web.json")
        .hasMessageContaining("$.Properties");
  }
}
