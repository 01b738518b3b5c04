package dev.berth.daemon;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The docker CLI against the lab's engine, as a user types it ({@code docker build --target ...} from
 * the repository root), and the repository's scripts with the same environment. Each command is
 * bounded to two minutes.
 */
final class LabDocker {

  /** What a command printed (both outputs, in order) and its exit code. */
  record Result(int exitCode, String output) {}

  private final String dockerHost;
  private final Path root;

  LabDocker(String dockerHost, Path root) {
    this.dockerHost = dockerHost;
    this.root = root;
  }

  /** {@code docker ARGS}; fails unless it succeeds; returns what it printed. */
  String ok(String... args) {
    Result result = docker(args);
    if (result.exitCode() != 0) {
      throw new IllegalStateException("docker " + String.join(" ", args) + " failed (" + result.exitCode() + "): "
          + result.output());
    }
    return result.output();
  }

  /** {@code docker ARGS}, whatever its outcome; returns what it printed. */
  String run(String... args) {
    return docker(args).output();
  }

  /** Runs a script of the repository (path relative to its root); fails unless it succeeds. */
  void script(String path, String... args) {
    List<String> argv = new ArrayList<>(List.of(root.resolve(path).toString()));
    argv.addAll(List.of(args));
    Result result = exec(argv);
    if (result.exitCode() != 0) {
      throw new IllegalStateException(path + " failed (" + result.exitCode() + "): " + result.output());
    }
  }

  private Result docker(String... args) {
    // Debian's client, as scripts/lab/up uses; a newer one on PATH may not match the lab's engine.
    String client = Files.isExecutable(Path.of("/usr/bin/docker")) ? "/usr/bin/docker" : "docker";
    List<String> argv = new ArrayList<>(List.of(client));
    argv.addAll(List.of(args));
    return exec(argv);
  }

  private Result exec(List<String> argv) {
    try {
      Path out = Files.createTempFile("berth-docker", ".out");
      ProcessBuilder builder = new ProcessBuilder(argv).directory(root.toFile()).redirectErrorStream(true)
          .redirectOutput(out.toFile());
      builder.environment().put("DOCKER_HOST", dockerHost);
      // BuildKit, Docker's default builder since 23.0, whatever this client's default is (Debian's 20.10
      // client defaults to the classic one, which builds the same image from `--target prebuilt` but
      // copies every layer on the lab's vfs storage: three times slower). BuildKit takes a local BASE.
      builder.environment().put("DOCKER_BUILDKIT", "1");
      Process process = builder.start();
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(String.join(" ", argv) + " did not finish within 120 s: " + Files.readString(out));
      }
      Result result = new Result(process.exitValue(), Files.readString(out));
      Files.delete(out);
      return result;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
