package dev.berth.iptables;

import dev.berth.iptables.Drift.Change;
import dev.berth.iptables.Drift.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compares what is wanted with what iptables-save reported: for each table, the chain's
 * declaration, the jumps to it and its rules form one ordered list on each side, and their longest
 * common subsequence tells what is missing and what is unexpected, in rule order.
 */
final class DriftCalculator {

  /** Built-in nat chains that never see a container's packets before routing. */
  private static final Set<String> NOT_PREROUTING = Set.of("INPUT", "OUTPUT", "POSTROUTING");

  private DriftCalculator() {}

  /** Every difference for one family, conflicts first. */
  static List<Change> compare(Family family, Map<Table, List<String>> desired, Map<Table, SavedTable> current) {
    List<Change> changes = new ArrayList<>(conflicts(family, current.get(Table.NAT)));
    for (Table table : Table.values()) {
      SavedTable saved = current.get(table);
      List<String> wanted = new ArrayList<>();
      wanted.add(table.declaration());
      wanted.add(table.jump());
      wanted.addAll(desired.get(table));
      diff(family, table, wanted, inPlace(table, saved), changes);
      List<String> builtin = saved.rulesOf(table.builtin);
      int position = builtin.indexOf(table.jump());
      if (table.jumpMustBeFirst && position > 0) {
        changes.add(new Change(family.label, table.name, Kind.MISPLACED,
            table.jump() + "   (rule " + (position + 1) + " of " + table.builtin + "; it must be rule 1)"));
      }
    }
    return changes;
  }

  /** Berth's side of a saved table: its chain's declaration, every reference to the chain, the chain's rules. */
  static List<String> inPlace(Table table, SavedTable saved) {
    List<String> lines = new ArrayList<>();
    if (saved.declares(table.chain)) {
      lines.add(table.declaration());
    }
    lines.addAll(saved.referencesTo(table.chain));
    lines.addAll(saved.rulesOf(table.chain));
    return lines;
  }

  /** Rules outside Berth's chains that rewrite or filter packets for the metadata address before routing. */
  static List<Change> conflicts(Family family, SavedTable nat) {
    List<Change> conflicts = new ArrayList<>();
    for (String rule : nat.rules()) {
      String chain = SavedTable.chainOf(rule);
      if (chain.equals(Table.NAT.chain) || NOT_PREROUTING.contains(chain)) {
        continue;
      }
      List<String> tokens = SavedTable.tokens(rule);
      for (int i = 0; i + 1 < tokens.size(); i++) {
        String value = tokens.get(i + 1);
        boolean negated = i > 0 && tokens.get(i - 1).equals("!");
        if (tokens.get(i).equals("-d") && !negated
            && (value.equals(family.metadataCidr) || value.equals(family.metadataAddress()))) {
          conflicts.add(new Change(family.label, Table.NAT.name, Kind.CONFLICT, rule));
          break;
        }
      }
    }
    return conflicts;
  }

  private static void diff(Family family, Table table, List<String> wanted, List<String> actual, List<Change> out) {
    int n = wanted.size();
    int m = actual.size();
    int[][] common = new int[n + 1][m + 1];
    for (int i = n - 1; i >= 0; i--) {
      for (int j = m - 1; j >= 0; j--) {
        common[i][j] = wanted.get(i).equals(actual.get(j))
            ? common[i + 1][j + 1] + 1
            : Math.max(common[i + 1][j], common[i][j + 1]);
      }
    }
    int i = 0;
    int j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && wanted.get(i).equals(actual.get(j))) {
        i++;
        j++;
      } else if (j < m && (i == n || common[i][j + 1] >= common[i + 1][j])) {
        out.add(new Change(family.label, table.name, Kind.UNEXPECTED, actual.get(j++)));
      } else {
        out.add(new Change(family.label, table.name, Kind.MISSING, wanted.get(i++)));
      }
    }
  }
}
