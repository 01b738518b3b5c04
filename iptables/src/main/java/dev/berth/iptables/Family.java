package dev.berth.iptables;

/** An address family: which binaries write its rules and where its metadata service lives. */
enum Family {
  IPV4("ipv4", "iptables", "169.254.169.254/32"),
  IPV6("ipv6", "ip6tables", "fd00:ec2::254/128");

  /** The tcp port of the metadata service. */
  static final int METADATA_PORT = 80;

  final String label;
  final String command;
  final String metadataCidr;

  Family(String label, String command, String metadataCidr) {
    this.label = label;
    this.command = command;
    this.metadataCidr = metadataCidr;
  }

  /** The metadata address without its prefix length. */
  String metadataAddress() {
    return metadataCidr.substring(0, metadataCidr.indexOf('/'));
  }
}
