package dev.berth.iptables;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Runs programs with {@link ProcessBuilder}, optionally behind a prefix such as {@code nsenter
 * --net=/run/netns/NAME --}, so that they act on another network namespace. Programs run with
 * {@code LC_ALL=C} so that their messages can be recognised; both outputs are drained while the
 * program runs, so a long iptables-save never stalls on a full pipe; a program that outlives its
 * bound is killed.
 */
final class ProcessCommandRunner implements CommandRunner {

  private final List<String> prefix;
  private final Duration timeout;

  ProcessCommandRunner(List<String> prefix, Duration timeout) {
    this.prefix = List.copyOf(prefix);
    this.timeout = timeout;
  }

  /** Programs run in {@code networkNamespace} ({@code nsenter --net=PATH --}), or in the caller's own when it is {@code null}. */
  static ProcessCommandRunner in(Path networkNamespace, Duration timeout) {
    return new ProcessCommandRunner(networkNamespace == null ? List.of()
        : List.of("nsenter", "--net=" + networkNamespace, "--"), timeout);
  }

  /** {@code path} when it names an existing network namespace; says where to look otherwise. */
  static Path requireNamespace(Path path) {
    Objects.requireNonNull(path, "path");
    if (!Files.exists(path)) {
      throw new IllegalArgumentException("network namespace " + path + " does not exist (see ip netns list)");
    }
    return path;
  }

  @Override
  public Result run(List<String> argv, String stdin) {
    List<String> command = new ArrayList<>(prefix);
    command.addAll(argv);
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("LC_ALL", "C");
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      if (String.valueOf(e.getMessage()).contains("error=2")) {
        throw Failures.missing(command.get(0));
      }
      throw new IptablesException(IptablesException.Reason.FAILED, "cannot run " + command.get(0) + ": " + e.getMessage());
    }
    CompletableFuture<String> out = drain(process.getInputStream());
    CompletableFuture<String> err = drain(process.getErrorStream());
    try (OutputStream in = process.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      // The program exited before reading everything; its exit code and stderr say why.
    }
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new IptablesException(IptablesException.Reason.FAILED,
            String.join(" ", argv) + " did not finish within " + timeout.toMillis() + " ms");
      }
      return new Result(process.exitValue(), out.get(), err.get());
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IptablesException(IptablesException.Reason.FAILED, "interrupted while running " + argv.get(0));
    } catch (ExecutionException e) {
      throw new UncheckedIOException(new IOException("reading the output of " + argv.get(0), e.getCause()));
    }
  }

  @Override
  public Optional<String> read(Path file) {
    if (!prefix.isEmpty()) {
      // /proc/net is per network namespace of the reader, so the file is read from inside the namespace.
      Result result = run(List.of("cat", file.toString()), null);
      return result.succeeded() ? Optional.of(result.stdout()) : Optional.empty();
    }
    try {
      return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static CompletableFuture<String> drain(InputStream stream) {
    return Mono.fromCallable(() -> {
      try (stream) {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      }
    }).subscribeOn(Schedulers.boundedElastic()).toFuture();
  }
}
