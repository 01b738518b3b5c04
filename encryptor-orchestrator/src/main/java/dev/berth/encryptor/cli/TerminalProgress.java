package dev.berth.encryptor.cli;

import dev.berth.encryptor.Progress;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The encryptor's progress as a bar on standard error when it is a terminal
 * ({@code [##########..........]  50%  4.0 of 8.0 GiB  encrypting}, redrawn in place); otherwise
 * nothing, since progress is logged as plain timestamped lines anyway.
 */
final class TerminalProgress implements Consumer<Progress> {

  private static final int WIDTH = 30;

  private final PrintStream err;

  private TerminalProgress(PrintStream err) {
    this.err = err;
  }

  /** A bar on {@code System.err} if it is a terminal, or a listener that does nothing. */
  static Consumer<Progress> forStderr() {
    return stderrIsTerminal() ? new TerminalProgress(System.err) : p -> { };
  }

  @Override
  public void accept(Progress progress) {
    err.print("\r" + bar(progress) + (progress.state().equals("finished") || progress.state().equals("failed") ? "\n" : ""));
    err.flush();
  }

  static String bar(Progress p) {
    int percent = Math.max(0, p.percent());
    int filled = percent * WIDTH / 100;
    String amounts = p.bytesTotal() > 0
        ? String.format(Locale.ROOT, "  %.1f of %.1f GiB", gib(p.bytesWritten()), gib(p.bytesTotal())) : "";
    return "[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] "
        + (p.percent() < 0 ? "  ?%" : String.format(Locale.ROOT, "%3d%%", percent)) + amounts + "  " + p.state();
  }

  private static double gib(long bytes) {
    return bytes / (1024.0 * 1024 * 1024);
  }

  // Java cannot ask whether stderr alone is a terminal; on Linux its file descriptor says so.
  private static boolean stderrIsTerminal() {
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }
}
