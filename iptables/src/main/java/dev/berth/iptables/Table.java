package dev.berth.iptables;

/*
 * Design notes. Berth owns one chain per table and one jump to it from the built-in chain, so
 * removal is exact. The filter table comes first in every batch: legacy iptables-restore commits
 * table by table, so if the nat table then fails, the guard is in place and nothing is steered
 * (fail closed), never the other way round. The guard's jump must be the first rule of INPUT, or an
 * earlier ACCEPT could let other interfaces through; the nat jump only has to exist, because no
 * rule of another tool may touch the metadata address anyway (that is a conflict).
 */

/** The tables Berth writes, in batch order, each with Berth's own chain and where it is jumped from. */
enum Table {
  FILTER("filter", "INPUT", "BERTH-INPUT", true),
  NAT("nat", "PREROUTING", "BERTH-PREROUTING", false);

  final String name;
  final String builtin;
  final String chain;
  final boolean jumpMustBeFirst;

  Table(String name, String builtin, String chain, boolean jumpMustBeFirst) {
    this.name = name;
    this.builtin = builtin;
    this.chain = chain;
    this.jumpMustBeFirst = jumpMustBeFirst;
  }

  /** The jump as iptables-save prints it. */
  String jump() {
    return "-A " + builtin + " -j " + chain;
  }

  /** The chain's declaration line, which in a {@code --noflush} batch also empties an existing chain. */
  String declaration() {
    return ":" + chain + " - [0:0]";
  }
}
