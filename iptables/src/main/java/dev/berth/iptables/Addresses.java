package dev.berth.iptables;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/*
 * Design notes. Addresses are parsed as literals only: InetAddress.getByName would resolve a host
 * name through DNS, which a rule spec must never do. They are printed the way iptables-save prints
 * them (inet_ntop: lower case, no leading zeros, the longest run of two or more zero groups as
 * "::"), so rendered rules compare equal, as strings, with what the kernel reports back.
 */
final class Addresses {

  private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
  private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]+");

  private Addresses() {}

  /** Parses an IPv4 or IPv6 literal; {@code what} names it in the error, e.g. "proxy address". */
  static InetAddress parse(String what, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(what + " is empty: give an IPv4 or IPv6 address, e.g. 172.17.0.1");
    }
    String literal = value.trim();
    if (literal.startsWith("[") && literal.endsWith("]")) {
      literal = literal.substring(1, literal.length() - 1);
    }
    Matcher v4 = IPV4.matcher(literal);
    if (v4.matches()) {
      byte[] bytes = new byte[4];
      for (int i = 0; i < 4; i++) {
        int octet = Integer.parseInt(v4.group(i + 1));
        if (octet > 255) {
          throw notAnAddress(what, value);
        }
        bytes[i] = (byte) octet;
      }
      return byAddress(bytes);
    }
    if (literal.contains(":") && IPV6.matcher(literal).matches()) {
      try {
        // A literal with a colon is never looked up in DNS.
        InetAddress parsed = InetAddress.getByName(literal);
        if (parsed instanceof Inet6Address) {
          return parsed;
        }
        // Java folds IPv4-mapped literals (::ffff:1.2.3.4) into IPv4; iptables would not.
        throw new IllegalArgumentException(what + " '" + value + "' is an IPv4-mapped IPv6 address: give the plain IPv4 address");
      } catch (UnknownHostException e) {
        throw notAnAddress(what, value);
      }
    }
    throw notAnAddress(what, value);
  }

  /** The address as iptables-save prints it (IPv6 without brackets). */
  static String format(InetAddress address) {
    if (!(address instanceof Inet6Address)) {
      return address.getHostAddress();
    }
    byte[] b = address.getAddress();
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLength = 0;
    for (int i = 0; i < 8; ) {
      if (groups[i] != 0) {
        i++;
        continue;
      }
      int start = i;
      while (i < 8 && groups[i] == 0) {
        i++;
      }
      if (i - start > bestLength) {
        bestStart = start;
        bestLength = i - start;
      }
    }
    if (bestLength < 2) {
      bestStart = -1;
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        out.append("::");
        i += bestLength - 1;
        continue;
      }
      if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
        out.append(':');
      }
      out.append(Integer.toHexString(groups[i]));
    }
    return out.toString();
  }

  private static InetAddress byAddress(byte[] bytes) {
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException impossible) {
      throw new IllegalStateException(impossible);
    }
  }

  private static IllegalArgumentException notAnAddress(String what, String value) {
    return new IllegalArgumentException(what + " '" + value + "' is not an IPv4 or IPv6 address (no host names)");
  }
}
