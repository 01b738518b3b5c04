package dev.berth.iptables;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Runs a program, or reads a file, as seen from the network namespace the rules are for. Both
 * block: callers run them on {@code Schedulers.boundedElastic()}. Unit tests replace it with a
 * scripted fake, so no test outside a lab namespace ever starts an iptables binary.
 */
interface CommandRunner {

  /** Runs {@code argv} with {@code stdin} (or none when {@code null}) and waits for it to exit. */
  Result run(List<String> argv, String stdin);

  /** The content of {@code file}, empty when it does not exist. */
  Optional<String> read(Path file);

  /** What a program did. */
  record Result(int exitCode, String stdout, String stderr) {

    boolean succeeded() {
      return exitCode == 0;
    }
  }
}
