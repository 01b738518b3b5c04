package dev.berth.provisioner.controller;

/**
 * What it takes to bring a group to its spec, counted in instances.
 *
 * @param create instances to add beyond those that replace others
 * @param terminate instances to remove without replacement
 * @param replace out-of-date instances to replace, one new for one old
 */
public record PlanSummary(int create, int terminate, int replace) {

  /** Nothing to do. */
  public static final PlanSummary NONE = new PlanSummary(0, 0, 0);

  /**
   * Checks the counts.
   *
   * @param create not negative
   * @param terminate not negative
   * @param replace not negative
   */
  public PlanSummary {
    if (create < 0 || terminate < 0 || replace < 0) {
      throw new IllegalArgumentException("plan counts must not be negative");
    }
  }

  /**
   * Whether nothing is left to do.
   *
   * @return true when every count is zero
   */
  public boolean empty() {
    return create == 0 && terminate == 0 && replace == 0;
  }

  /** {@code create N, terminate M, replace K}. */
  @Override
  public String toString() {
    return "create " + create + ", terminate " + terminate + ", replace " + replace;
  }
}
