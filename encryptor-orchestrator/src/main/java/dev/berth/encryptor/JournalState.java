package dev.berth.encryptor;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A journal as read back: who ran the session, what it created, kept and deleted, and how it
 * ended ({@code outcome} is empty while it runs, or after a crash).
 *
 * @param file the journal file
 * @param sessionId the session
 * @param pid the process that ran it
 * @param processStart when that process started, if recorded
 * @param host the host it ran on
 * @param created every id it created, in order
 * @param kept the verified results, never deleted
 * @param deleted what cleanup has deleted
 * @param outcome {@code succeeded}, {@code cleaned} or {@code leftovers}; empty if it never finished
 */
record JournalState(Path file, String sessionId, long pid, Optional<Instant> processStart, String host,
    List<String> created, Set<String> kept, Set<String> deleted, Optional<String> outcome) {

  static final String SUCCEEDED = "succeeded";
  static final String CLEANED = "cleaned";
  static final String LEFTOVERS = "leftovers";

  /** Reads {@code file}; blocking. A torn last line (a crash mid-write) is ignored. */
  static JournalState read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the journal " + file + ": " + e.getMessage(), e);
    }
    String session = file.getFileName().toString().replace(Journal.SUFFIX, "");
    long pid = -1;
    Instant processStart = null;
    String host = "";
    List<String> created = new ArrayList<>();
    Set<String> kept = new LinkedHashSet<>();
    Set<String> deleted = new LinkedHashSet<>();
    String outcome = null;
    for (String text : lines) {
      JsonNode line;
      try {
        line = Journal.JSON.readTree(text);
      } catch (IOException e) {
        continue;
      }
      if (line == null || !line.has("event")) {
        continue;
      }
      switch (line.get("event").asText()) {
        case "start" -> {
          session = line.path("session").asText(session);
          pid = line.path("pid").asLong(-1);
          host = line.path("host").asText("");
          processStart = line.has("processStart") ? Instant.parse(line.get("processStart").asText()) : null;
        }
        case "created" -> created.add(line.path("id").asText());
        case "kept" -> kept.add(line.path("id").asText());
        case "deleted" -> deleted.add(line.path("id").asText());
        case "finished" -> outcome = line.path("outcome").asText();
        default -> { }
      }
    }
    return new JournalState(file, session, pid, Optional.ofNullable(processStart), host, List.copyOf(created),
        Set.copyOf(kept), Set.copyOf(deleted), Optional.ofNullable(outcome));
  }

  /** What cleanup must still delete, by the journal alone: created, not kept, not yet deleted. */
  List<String> pending() {
    return created.stream().filter(id -> !kept.contains(id) && !deleted.contains(id)).distinct().toList();
  }

  /** Whether the session may still hold resources: it never finished, or finished with leftovers. */
  boolean unfinished() {
    return outcome.isEmpty() || outcome.get().equals(LEFTOVERS);
  }

  /**
   * Whether the run is over without having cleaned up: unfinished, and its process is gone from
   * this host (or the pid now belongs to a process that started at another time). A run on another
   * host is never judged stale from here.
   */
  boolean stale(String thisHost) {
    if (!unfinished() || !host.equals(thisHost)) {
      return false;
    }
    Optional<ProcessHandle> process = ProcessHandle.of(pid);
    if (process.isEmpty() || !process.get().isAlive()) {
      return true;
    }
    Optional<Instant> started = process.get().info().startInstant();
    return processStart.isPresent() && started.isPresent() && !processStart.get().equals(started.get());
  }
}
