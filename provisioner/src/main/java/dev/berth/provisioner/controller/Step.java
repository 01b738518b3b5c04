package dev.berth.provisioner.controller;

import java.util.List;
import java.util.Optional;

/**
 * What one round does: terminate these instances, then launch these.
 *
 * @param terminate instance ids, in the order they were chosen
 * @param launches one entry per instance to launch: an address for a {@code LogicalIDs} group, empty for a {@code Size} group
 * @param rolling whether the terminations start a rolling-update batch
 * @param waiting why the round holds back, or empty
 */
record Step(List<String> terminate, List<Optional<String>> launches, boolean rolling, Optional<String> waiting) {

  Step {
    terminate = List.copyOf(terminate);
    launches = List.copyOf(launches);
  }

  boolean nothing() {
    return terminate.isEmpty() && launches.isEmpty();
  }
}
