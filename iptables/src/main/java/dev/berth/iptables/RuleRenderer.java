package dev.berth.iptables;

import dev.berth.iptables.IptablesSpec.Steering;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a spec into the rules of Berth's chains for one family, each written exactly as
 * iptables-save prints it (option order, {@code /32} masks, {@code -m tcp}), so that what is in
 * place and what is wanted compare as plain strings.
 */
final class RuleRenderer {

  private RuleRenderer() {}

  /** The rules Berth's chains should hold, per table, in order. */
  static Map<Table, List<String>> render(IptablesSpec spec, Family family) {
    Map<Table, List<String>> rules = new EnumMap<>(Table.class);
    rules.put(Table.FILTER, guard(spec, family));
    rules.put(Table.NAT, steering(spec, family));
    return rules;
  }

  private static List<String> guard(IptablesSpec spec, Family family) {
    String port = " -p tcp -m tcp --dport " + spec.proxyPort();
    String chain = "-A " + Table.FILTER.chain;
    List<String> rules = new ArrayList<>();
    for (String name : spec.interfaces()) {
      // Per-source limits first, in the kernel: a flooding container is slowed before the proxy sees it.
      if (spec.perSourceConnections() > 0) {
        rules.add(chain + " -i " + name + port + " -m connlimit --connlimit-above " + spec.perSourceConnections()
            + " --connlimit-mask " + (family == Family.IPV4 ? 32 : 128) + " --connlimit-saddr -j REJECT --reject-with tcp-reset");
      }
      if (spec.perSourcePackets() > 0) {
        rules.add(chain + " -i " + name + port + " -m hashlimit --hashlimit-above " + spec.perSourcePackets()
            + "/sec --hashlimit-burst " + 2 * spec.perSourcePackets() + " --hashlimit-mode srcip --hashlimit-name "
            + (family == Family.IPV4 ? "berth" : "berth6") + " -j DROP");
      }
      rules.add(chain + " -i " + name + port + " -j RETURN");
    }
    if (spec.loopbackAllowed()) {
      rules.add(chain + " -i lo" + port + " -j RETURN");
    }
    rules.add(chain + port + " -j DROP");
    return rules;
  }

  private static List<String> steering(IptablesSpec spec, Family family) {
    String target = target(spec, family);
    List<String> rules = new ArrayList<>();
    if (target == null) {
      return rules;
    }
    for (String name : spec.interfaces()) {
      rules.add("-A " + Table.NAT.chain + " -d " + family.metadataCidr + " -i " + name
          + " -p tcp -m tcp --dport " + Family.METADATA_PORT + " -j " + target);
    }
    return rules;
  }

  /** The jump target, or {@code null} when this family is not steered (DNAT without an address of its own). */
  private static String target(IptablesSpec spec, Family family) {
    if (spec.steering() == Steering.REDIRECT) {
      return "REDIRECT --to-ports " + spec.proxyPort();
    }
    if (family == Family.IPV4) {
      return "DNAT --to-destination " + Addresses.format(spec.proxyAddress()) + ":" + spec.proxyPort();
    }
    if (spec.proxyAddress6() == null) {
      return null;
    }
    return "DNAT --to-destination [" + Addresses.format(spec.proxyAddress6()) + "]:" + spec.proxyPort();
  }
}
