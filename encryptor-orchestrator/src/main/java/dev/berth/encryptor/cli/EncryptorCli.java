package dev.berth.encryptor.cli;

import dev.berth.encryptor.EncryptorException;
import dev.berth.provisioner.ec2.Ec2CallException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine;

/**
 * The {@code berth-encryptor} command line: {@code encrypt}, {@code update} and {@code cleanup}. The new image id
 * is the only thing on standard output; logs go to standard error. Exit status 0 on success, 1 for
 * a failure (after cleanup), 2 for a usage or validation error (nothing created), 130 after
 * cleanup on Ctrl-C or SIGTERM.
 */
public final class EncryptorCli {

  /** Exit status after an interrupted run was cleaned up, as shells report SIGINT. */
  public static final int INTERRUPTED = 130;

  private EncryptorCli() {}

  /**
   * Runs a command line on the process's standard streams.
   *
   * @param args the arguments
   * @return the exit status
   */
  public static int run(String[] args) {
    return run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
  }

  /**
   * Runs a command line on the given streams; tests run it in-process this way.
   *
   * @param args the arguments
   * @param out where results go
   * @param err where usage errors and failures go
   * @return the exit status
   */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine line = new CommandLine(new EncryptorCommand());
    line.setOut(out);
    line.setErr(err);
    line.setExecutionExceptionHandler((error, cmd, parsed) -> {
      Throwable cause = error;
      while (cause.getCause() != null && !(cause instanceof EncryptorException) && !(cause instanceof Ec2CallException)
          && !(cause instanceof UncheckedIOException)) {
        cause = cause.getCause();
      }
      cmd.getErr().println("berth-encryptor: " + cause.getMessage());
      if (cause instanceof EncryptorException e) {
        return e.kind() == EncryptorException.Kind.INVALID ? 2 : 1;
      }
      if (cause instanceof Ec2CallException || cause instanceof UncheckedIOException) {
        return 1;
      }
      throw error;
    });
    int status = line.execute(args);
    out.flush();
    err.flush();
    return status;
  }
}
