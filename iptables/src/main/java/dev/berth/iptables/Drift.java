package dev.berth.iptables;

import java.util.List;
import java.util.Objects;

/**
 * How the rules in place differ from a spec: what {@code install} would add or remove, and rules of
 * other tools that fight over the metadata address. Empty when the host is in sync.
 *
 * <pre>{@code
 * Drift drift = iptables.check(spec).block();
 * if (!drift.inSync()) {
 *   System.out.print(drift.describe());
 * }
 * }</pre>
 *
 * @param changes every difference, grouped by family and table, in rule order
 */
public record Drift(List<Change> changes) {

  /** What kind of difference a {@link Change} is, and the mark {@link #describe()} gives it. */
  public enum Kind {
    /** Wanted but not in place: install adds it. */
    MISSING('+'),
    /** In place but not wanted (in Berth's chains, or a jump to them): install removes it. */
    UNEXPECTED('-'),
    /** In place but in the wrong position (the guard's jump must be INPUT's first rule): install moves it. */
    MISPLACED('~'),
    /** Another tool's rule for the metadata address: install refuses until it is removed. */
    CONFLICT('!');

    private final char mark;

    Kind(char mark) {
      this.mark = mark;
    }

    /** The character that starts this kind's lines in {@link #describe()}. */
    public char mark() {
      return mark;
    }
  }

  /**
   * One difference.
   *
   * @param family {@code ipv4} or {@code ipv6}
   * @param table {@code filter} or {@code nat}
   * @param kind what is wrong
   * @param rule the rule as iptables-save prints it ({@code -A CHAIN ...}) or a chain ({@code :CHAIN - [0:0]})
   */
  public record Change(String family, String table, Kind kind, String rule) {
    public Change {
      Objects.requireNonNull(family, "family");
      Objects.requireNonNull(table, "table");
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(rule, "rule");
    }
  }

  public Drift {
    changes = List.copyOf(changes);
  }

  /** No difference. */
  public static Drift none() {
    return new Drift(List.of());
  }

  /** Whether the rules in place are exactly what the spec asks for, with no conflicting rule. */
  public boolean inSync() {
    return changes.isEmpty();
  }

  /** Whether another tool's rule conflicts, which {@code install} cannot repair by itself. */
  public boolean hasConflicts() {
    return changes.stream().anyMatch(c -> c.kind() == Kind.CONFLICT);
  }

  /**
   * A readable diff, one line per change under a {@code family table:} heading, e.g.
   *
   * <pre>
   * ipv4 nat:
   * + -A BERTH-PREROUTING -d 169.254.169.254/32 -i br-3f2a9c1d7e4b -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 18000
   * - -A BERTH-PREROUTING -d 169.254.169.254/32 -i br-gone -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 18000
   * </pre>
   *
   * {@code +} missing, {@code -} unexpected, {@code ~} misplaced, {@code !} conflicting. Empty when in sync.
   */
  public String describe() {
    StringBuilder out = new StringBuilder();
    String heading = null;
    for (Change change : changes) {
      String next = change.family() + " " + change.table() + ":";
      if (!next.equals(heading)) {
        out.append(next).append('\n');
        heading = next;
      }
      out.append(change.kind().mark()).append(' ').append(change.rule()).append('\n');
    }
    return out.toString();
  }
}
