package dev.berth.iptables;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/*
 * Design notes. A batch for `iptables-restore --noflush` changes nothing but Berth's own chains and
 * the rules that refer to them. Declaring a chain (":BERTH-INPUT - [0:0]") creates it, or empties
 * it when it exists, so the rules that follow replace whatever a crash or a person left there: a
 * half-made chain is repaired by the same batch that installs a clean one. Jumps cannot be declared,
 * so they are planned from what iptables-save showed: every reference but one well-placed jump is
 * deleted by its exact text, and a missing jump is inserted as rule 1.
 */
final class RestorePlan {

  private RestorePlan() {}

  /** The batch that makes one family match {@code desired}, or "" when it already does. */
  static String install(Map<Table, List<String>> desired, Map<Table, SavedTable> current) {
    List<String> batch = new ArrayList<>();
    for (Table table : Table.values()) {
      SavedTable saved = current.get(table);
      List<String> wanted = new ArrayList<>();
      wanted.add(table.declaration());
      wanted.add(table.jump());
      wanted.addAll(desired.get(table));
      boolean jumpInPlace = jumpInPlace(table, saved);
      if (jumpInPlace && DriftCalculator.inPlace(table, saved).equals(wanted)) {
        continue;
      }
      batch.add("*" + table.name);
      batch.add(table.declaration());
      batch.addAll(desired.get(table));
      if (!jumpInPlace) {
        for (String reference : saved.referencesTo(table.chain)) {
          batch.add(deletion(reference));
        }
        batch.add("-I " + table.builtin + " 1 -j " + table.chain);
      }
      batch.add("COMMIT");
    }
    return text(batch);
  }

  /** The batch that removes Berth's chains and every reference to them, or "" when there are none. */
  static String remove(Map<Table, SavedTable> current) {
    List<String> batch = new ArrayList<>();
    for (Table table : Table.values()) {
      SavedTable saved = current.get(table);
      List<String> references = saved.referencesTo(table.chain);
      if (references.isEmpty() && !saved.declares(table.chain)) {
        continue;
      }
      batch.add("*" + table.name);
      for (String reference : references) {
        batch.add(deletion(reference));
      }
      if (saved.declares(table.chain)) {
        batch.add(table.declaration());
        batch.add("-X " + table.chain);
      }
      batch.add("COMMIT");
    }
    return text(batch);
  }

  /** Exactly one jump, and first in the built-in chain where that matters. */
  private static boolean jumpInPlace(Table table, SavedTable saved) {
    if (!saved.referencesTo(table.chain).equals(List.of(table.jump()))) {
      return false;
    }
    return !table.jumpMustBeFirst || saved.rulesOf(table.builtin).indexOf(table.jump()) == 0;
  }

  /** {@code -A CHAIN spec} as {@code -D CHAIN spec}: deletes the first rule with exactly that spec. */
  private static String deletion(String rule) {
    return "-D" + rule.substring(2);
  }

  private static String text(List<String> lines) {
    return lines.isEmpty() ? "" : String.join("\n", lines) + "\n";
  }
}
