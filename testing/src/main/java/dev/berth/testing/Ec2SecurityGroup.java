package dev.berth.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One VPC security group inside the emulator, with its ingress rules. Mutable fields are guarded
 * by the {@link Ec2World}.
 */
final class Ec2SecurityGroup {

  /** One ingress rule: a protocol, a port range and one source CIDR. */
  record Rule(String protocol, int fromPort, int toPort, String cidr) {}

  final long serial;
  final String groupId;
  final String groupName;
  final String description;
  final String vpcId;
  final String ownerId;
  final boolean builtIn;
  final List<Rule> ingress = new ArrayList<>();
  final Map<String, String> tags = new LinkedHashMap<>();

  Ec2SecurityGroup(long serial, String groupId, String groupName, String description, String vpcId, String ownerId,
      boolean builtIn) {
    this.serial = serial;
    this.groupId = groupId;
    this.groupName = groupName;
    this.description = description;
    this.vpcId = vpcId;
    this.ownerId = ownerId;
    this.builtIn = builtIn;
  }

  void xml(XmlWriter xml) {
    xml.open("item")
        .leaf("ownerId", ownerId)
        .leaf("groupId", groupId)
        .leaf("groupName", groupName)
        .leaf("groupDescription", description)
        .leaf("vpcId", vpcId)
        .open("ipPermissions");
    for (Rule rule : ingress) {
      xml.open("item").leaf("ipProtocol", rule.protocol()).leaf("fromPort", rule.fromPort()).leaf("toPort", rule.toPort())
          .open("ipRanges").open("item").leaf("cidrIp", rule.cidr()).close("item").close("ipRanges")
          .close("item");
    }
    xml.close("ipPermissions");
    Ec2Xml.tags(xml, tags).close("item");
  }
}
