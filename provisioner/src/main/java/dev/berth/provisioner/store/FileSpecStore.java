package dev.berth.provisioner.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.provisioner.spec.GroupSpec;
import dev.berth.provisioner.spec.SpecException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * {@link SpecStore} as one JSON file per group: the spec exactly as committed under {@code Spec},
 * and the bookkeeping beside it. Each write goes to a temporary file, is forced to disk, and is
 * renamed over the old one.
 */
final class FileSpecStore implements SpecStore {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final String SUFFIX = ".json";

  private final Path directory;

  FileSpecStore(Path directory) {
    this.directory = directory;
  }

  @Override
  public Mono<Void> save(StoredGroup group) {
    return Mono.<Void>fromRunnable(() -> write(group)).subscribeOn(Schedulers.boundedElastic());
  }

  @Override
  public Mono<StoredGroup> load(String id) {
    return Mono.fromCallable(() -> read(file(id))).flatMap(Mono::justOrEmpty).subscribeOn(Schedulers.boundedElastic());
  }

  @Override
  public Flux<StoredGroup> list() {
    return Flux.defer(() -> Flux.fromIterable(files()))
        .concatMap(path -> Mono.fromCallable(() -> read(path)).flatMap(Mono::justOrEmpty))
        .subscribeOn(Schedulers.boundedElastic());
  }

  @Override
  public Mono<Void> delete(String id) {
    return Mono.<Void>fromRunnable(() -> {
      try {
        Files.deleteIfExists(file(id));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot delete " + file(id) + ": " + e.getMessage(), e);
      }
    }).subscribeOn(Schedulers.boundedElastic());
  }

  private Path file(String id) {
    return directory.resolve(id + SUFFIX);
  }

  private List<Path> files() {
    if (!Files.isDirectory(directory)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(directory)) {
      return entries.filter(p -> p.getFileName().toString().endsWith(SUFFIX) && !p.getFileName().toString().startsWith("."))
          .sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + directory + ": " + e.getMessage(), e);
    }
  }

  private void write(StoredGroup group) {
    Path target = file(group.id());
    Path temporary = directory.resolve("." + group.id() + SUFFIX + ".tmp");
    try {
      Files.createDirectories(directory);
      byte[] bytes = JSON.writeValueAsBytes(toJson(group));
      try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
    }
  }

  private static Optional<StoredGroup> read(Path path) {
    JsonNode root;
    try {
      root = JSON.readTree(Files.readAllBytes(path));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path + ": " + e.getMessage(), e);
    }
    try {
      GroupSpec spec = GroupSpec.parse(root.path("Spec").toString());
      List<PendingLaunch> pending = new ArrayList<>();
      root.path("PendingLaunches").forEach(p -> pending.add(new PendingLaunch(p.path("ClientToken").asText(),
          p.path("Count").asInt(), text(p.get("PrivateIpAddress")))));
      JsonNode p = root.get("Problem");
      Optional<Problem> problem = p == null || p.isNull() ? Optional.empty() : Optional.of(new Problem(
          p.path("Code").asText(), p.path("Message").asText(), Instant.parse(p.path("At").asText()),
          p.path("Attempts").asInt(1), text(p.get("RetryAt")).map(Instant::parse)));
      return Optional.of(new StoredGroup(spec, root.path("Destroying").asBoolean(), root.path("LaunchSerial").asLong(),
          pending, problem));
    } catch (SpecException | IllegalArgumentException | java.time.DateTimeException e) {
      throw new IllegalStateException(path + " is not a group this provisioner wrote: " + e.getMessage()
          + "; fix or remove the file", e);
    }
  }

  private static ObjectNode toJson(StoredGroup group) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.set("Spec", JSON.readTree(group.spec().json()));
    root.put("Destroying", group.destroying());
    root.put("LaunchSerial", group.launchSerial());
    ArrayNode pending = root.putArray("PendingLaunches");
    group.pendingLaunches().forEach(l -> {
      ObjectNode launch = pending.addObject().put("ClientToken", l.clientToken()).put("Count", l.count());
      l.privateIpAddress().ifPresent(a -> launch.put("PrivateIpAddress", a));
    });
    group.problem().ifPresent(p -> {
      ObjectNode problem = root.putObject("Problem").put("Code", p.code()).put("Message", p.message())
          .put("At", p.at().toString()).put("Attempts", p.attempts());
      p.retryAt().ifPresent(t -> problem.put("RetryAt", t.toString()));
    });
    return root;
  }

  private static Optional<String> text(JsonNode node) {
    return node == null || node.isNull() ? Optional.empty() : Optional.of(node.asText());
  }
}
