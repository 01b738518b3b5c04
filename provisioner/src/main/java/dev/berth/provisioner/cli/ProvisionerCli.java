package dev.berth.provisioner.cli;

import dev.berth.provisioner.controller.UnknownGroupException;
import dev.berth.provisioner.ec2.Ec2CallException;
import dev.berth.provisioner.spec.SpecException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine;

/**
 * The {@code berth-provisioner} command line: {@code commit}, {@code inspect}, {@code describe},
 * {@code destroy}, {@code free} and {@code watch}. Results go to standard output, logs to
 * standard error; exit status 0 on success, 1 when EC2 or the state directory failed, 2 for a
 * bad spec or bad arguments.
 */
public final class ProvisionerCli {

  private ProvisionerCli() {}

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
    CommandLine line = new CommandLine(new ProvisionerCommand());
    line.setOut(out);
    line.setErr(err);
    line.setExecutionExceptionHandler((error, cmd, parsed) -> {
      Throwable cause = error;
      if (cause.getCause() instanceof Ec2CallException && !(cause instanceof Ec2CallException)) {
        cause = cause.getCause();
      }
      if (cause instanceof SpecException || cause instanceof IllegalArgumentException) {
        cmd.getErr().println("berth-provisioner: " + cause.getMessage());
        return 2;
      }
      if (cause instanceof Ec2CallException || cause instanceof UnknownGroupException
          || cause instanceof UncheckedIOException || cause instanceof IllegalStateException) {
        cmd.getErr().println("berth-provisioner: " + cause.getMessage());
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
