package dev.berth.provisioner.spec;

import java.util.Objects;

/**
 * A group spec that cannot be accepted, with where and why: the JSON path of the offending value
 * (e.g. {@code $.Properties.Allocation.Size}) and what was expected there.
 */
public final class SpecException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String path;
  private final String problem;

  /**
   * @param path the JSON path, {@code $} for the whole document
   * @param problem what was wrong and what was expected
   */
  public SpecException(String path, String problem) {
    super(Objects.requireNonNull(path, "path") + ": " + Objects.requireNonNull(problem, "problem"), null, false, false);
    this.path = path;
    this.problem = problem;
  }

  /**
   * Where the problem is.
   *
   * @return a JSON path such as {@code $.Properties.Instance.Properties.RunInstancesInput.ImageId}
   */
  public String path() {
    return path;
  }

  /**
   * What was wrong and what was expected, without the path.
   *
   * @return e.g. {@code expected a whole number, got the string "3"}
   */
  public String problem() {
    return problem;
  }
}
