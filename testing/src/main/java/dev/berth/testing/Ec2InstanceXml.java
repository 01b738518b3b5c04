package dev.berth.testing;

/** One instance as an {@code <item>} of an {@code instancesSet}, with the members EC2 sends. */
final class Ec2InstanceXml {

  private Ec2InstanceXml() {}

  static void item(XmlWriter xml, Ec2Machine m, String state, String region, java.util.List<Ec2Volume> volumes) {
    String dnsName = "ip-" + m.privateIpAddress.replace('.', '-') + "." + region + ".compute.internal";
    xml.open("item")
        .leaf("instanceId", m.instanceId)
        .leaf("imageId", m.imageId)
        .open("instanceState").leaf("code", Ec2Machine.code(state)).leaf("name", state).close("instanceState")
        .leaf("privateDnsName", "terminated".equals(state) ? "" : dnsName)
        .leaf("dnsName", "")
        .leaf("reason", m.terminatedAt != null ? "User initiated (" + Ec2Xml.time(m.terminatedAt) + ")"
            : m.stoppedAt != null ? "User initiated (" + Ec2Xml.time(m.stoppedAt) + ")" : "")
        .leaf("keyName", m.keyName)
        .leaf("amiLaunchIndex", m.launchIndex)
        .leaf("instanceType", m.instanceType)
        .leaf("launchTime", Ec2Xml.time(m.launchTime))
        .open("placement").leaf("availabilityZone", m.availabilityZone).leaf("tenancy", "default").close("placement")
        .open("monitoring").leaf("state", "disabled").close("monitoring")
        .leaf("subnetId", m.subnetId)
        .leaf("vpcId", "vpc-0c1f5a2b3d4e6f708")
        .leaf("privateIpAddress", "terminated".equals(state) ? null : m.privateIpAddress)
        .leaf("sourceDestCheck", true);
    if (!m.securityGroupIds.isEmpty()) {
      xml.open("groupSet");
      m.securityGroupIds.forEach(g -> xml.open("item").leaf("groupId", g).leaf("groupName", "default").close("item"));
      xml.close("groupSet");
    }
    if ("pending".equals(state)) {
      xml.open("stateReason").leaf("code", "pending").leaf("message", "pending").close("stateReason");
    } else if ("terminated".equals(state) || "shutting-down".equals(state) || "stopping".equals(state)
        || "stopped".equals(state)) {
      xml.open("stateReason").leaf("code", "Client.UserInitiatedShutdown")
          .leaf("message", "Client.UserInitiatedShutdown: User initiated shutdown").close("stateReason");
    }
    xml.leaf("architecture", "x86_64")
        .leaf("rootDeviceType", "ebs")
        .leaf("rootDeviceName", "/dev/xvda");
    if (!volumes.isEmpty()) {
      xml.open("blockDeviceMapping");
      volumes.forEach(v -> xml.open("item").leaf("deviceName", v.device).open("ebs").leaf("volumeId", v.volumeId)
          .leaf("status", "attached").leaf("attachTime", Ec2Xml.time(v.attachTime))
          .leaf("deleteOnTermination", v.deleteOnTermination).close("ebs").close("item"));
      xml.close("blockDeviceMapping");
    }
    xml
        .leaf("virtualizationType", "hvm")
        .leaf("clientToken", m.clientToken);
    Ec2Xml.tags(xml, m.tags)
        .leaf("hypervisor", "xen")
        .leaf("ebsOptimized", false)
        .close("item");
  }
}
