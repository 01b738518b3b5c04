package dev.berth.provisioner.controller;

/** A group id that no committed spec has. */
public final class UnknownGroupException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /**
   * @param groupId the id asked for
   */
  public UnknownGroupException(String groupId) {
    super("no group '" + groupId + "' is committed (see `describe` for the groups there are)", null, false, false);
  }
}
