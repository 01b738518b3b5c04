package dev.berth.iptables;

import java.util.ArrayList;
import java.util.List;

/**
 * One table as {@code iptables-save -t TABLE} printed it: the chains it declares and every rule, in
 * order, as {@code -A CHAIN ...} lines. Comments (including iptables-nft's "legacy tables present"
 * warning), counters and other tables are ignored.
 */
record SavedTable(String name, List<String> chains, List<String> rules) {

  SavedTable {
    chains = List.copyOf(chains);
    rules = List.copyOf(rules);
  }

  /** A table with nothing in it, as on a host where the table was never loaded. */
  static SavedTable empty(String name) {
    return new SavedTable(name, List.of(), List.of());
  }

  /** Parses the {@code *name} section of iptables-save output; a missing section is an empty table. */
  static SavedTable parse(String name, String saved) {
    List<String> chains = new ArrayList<>();
    List<String> rules = new ArrayList<>();
    boolean inside = false;
    for (String raw : saved.split("\n")) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      if (line.startsWith("*")) {
        inside = line.substring(1).equals(name);
      } else if (!inside) {
        continue;
      } else if (line.equals("COMMIT")) {
        inside = false;
      } else if (line.startsWith(":")) {
        int space = line.indexOf(' ');
        chains.add(space < 0 ? line.substring(1) : line.substring(1, space));
      } else if (line.startsWith("-A ")) {
        rules.add(line);
      }
    }
    return new SavedTable(name, chains, rules);
  }

  boolean declares(String chain) {
    return chains.contains(chain);
  }

  /** The rules of {@code chain}, in order. */
  List<String> rulesOf(String chain) {
    List<String> of = new ArrayList<>();
    for (String rule : rules) {
      if (chainOf(rule).equals(chain)) {
        of.add(rule);
      }
    }
    return of;
  }

  /** Every rule of another chain that jumps ({@code -j}) or goes ({@code -g}) to {@code chain}. */
  List<String> referencesTo(String chain) {
    List<String> refs = new ArrayList<>();
    for (String rule : rules) {
      if (chainOf(rule).equals(chain)) {
        continue;
      }
      List<String> tokens = tokens(rule);
      for (int i = 0; i + 1 < tokens.size(); i++) {
        if ((tokens.get(i).equals("-j") || tokens.get(i).equals("-g")) && tokens.get(i + 1).equals(chain)) {
          refs.add(rule);
          break;
        }
      }
    }
    return refs;
  }

  /** The chain a {@code -A CHAIN ...} line belongs to. */
  static String chainOf(String rule) {
    List<String> tokens = tokens(rule);
    return tokens.size() > 1 ? tokens.get(1) : "";
  }

  /** Splits a rule on spaces, keeping double-quoted words (comments) whole. */
  static List<String> tokens(String rule) {
    List<String> tokens = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < rule.length(); i++) {
      char c = rule.charAt(i);
      if (c == '\\' && quoted && i + 1 < rule.length()) {
        word.append(c).append(rule.charAt(++i));
      } else if (c == '"') {
        quoted = !quoted;
        word.append(c);
      } else if (c == ' ' && !quoted) {
        if (word.length() > 0) {
          tokens.add(word.toString());
          word.setLength(0);
        }
      } else {
        word.append(c);
      }
    }
    if (word.length() > 0) {
      tokens.add(word.toString());
    }
    return tokens;
  }
}
