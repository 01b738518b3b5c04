package dev.berth.testing;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The network an encryption workflow touches: {@code DescribeSubnets} (the account's two fixed
 * subnets, one per VPC), {@code DescribeSecurityGroups}, {@code CreateSecurityGroup},
 * {@code AuthorizeSecurityGroupIngress} and {@code DeleteSecurityGroup}. A group that a live
 * instance uses cannot be deleted ({@code DependencyViolation}), as at EC2.
 */
final class Ec2NetworkActions {

  private static final Set<String> GROUP_FILTERS = Set.of("group-id", "group-name", "vpc-id");

  private final Ec2World world;

  Ec2NetworkActions(Ec2World world) {
    this.world = world;
  }

  String describeSubnets(Ec2Request request, String requestId) {
    List<String> ids = request.list("SubnetId");
    for (String id : ids) {
      if (!Ec2World.SUBNET_VPCS.containsKey(id)) {
        throw new QueryFailure(Ec2Errors.subnetNotFound(id));
      }
    }
    if (request.dryRun()) {
      throw new QueryFailure(Ec2Errors.dryRun());
    }
    XmlWriter xml = Ec2Xml.response("DescribeSubnets", requestId).open("subnetSet");
    int n = 0;
    for (Map.Entry<String, String> subnet : new java.util.TreeMap<>(Ec2World.SUBNET_VPCS).entrySet()) {
      n++;
      if (ids.isEmpty() || ids.contains(subnet.getKey())) {
        xml.open("item").leaf("subnetId", subnet.getKey()).leaf("state", "available").leaf("vpcId", subnet.getValue())
            .leaf("cidrBlock", (world.loopback ? "127." : "10.") + n + ".0.0/16").leaf("availableIpAddressCount", 65531)
            .leaf("availabilityZone", world.region + "a").leaf("defaultForAz", false)
            .leaf("mapPublicIpOnLaunch", false).close("item");
      }
    }
    return xml.close("subnetSet").end("DescribeSubnetsResponse");
  }

  String describeSecurityGroups(Ec2Request request, String requestId) {
    List<String> ids = request.list("GroupId");
    List<String> names = request.list("GroupName");
    List<Ec2Filter> filters = Ec2Filter.parse(request, GROUP_FILTERS);
    synchronized (world) {
      ids.forEach(this::existing);
      if (request.dryRun()) {
        throw new QueryFailure(Ec2Errors.dryRun());
      }
      XmlWriter xml = Ec2Xml.response("DescribeSecurityGroups", requestId).open("securityGroupInfo");
      world.groupList().stream()
          .filter(g -> ids.isEmpty() || ids.contains(g.groupId))
          .filter(g -> names.isEmpty() || names.contains(g.groupName))
          .filter(g -> Ec2Filter.all(filters, g.tags, (name, t) -> List.of(switch (name) {
            case "group-id" -> g.groupId;
            case "group-name" -> g.groupName;
            default -> g.vpcId;
          })))
          .forEach(g -> g.xml(xml));
      return xml.close("securityGroupInfo").end("DescribeSecurityGroupsResponse");
    }
  }

  String createSecurityGroup(Ec2Request request, String requestId) {
    String name = request.required("GroupName");
    String description = request.required("GroupDescription");
    String vpc = request.param("VpcId") == null ? "vpc-0c1f5a2b3d4e6f708" : request.param("VpcId");
    Map<String, String> tags = Ec2TagActions.tagSpecifications(request, "security-group");
    if (!Ec2World.SUBNET_VPCS.containsValue(vpc)) {
      throw new QueryFailure(new QueryError(400, "InvalidVpcID.NotFound", "The vpc ID '" + vpc + "' does not exist"));
    }
    synchronized (world) {
      if (world.groupList().stream().anyMatch(g -> g.vpcId.equals(vpc) && g.groupName.equals(name))) {
        throw new QueryFailure(new QueryError(400, "InvalidGroup.Duplicate",
            "The security group '" + name + "' already exists for VPC '" + vpc + "'"));
      }
      if (request.dryRun()) {
        throw new QueryFailure(Ec2Errors.dryRun());
      }
      Ec2SecurityGroup group = new Ec2SecurityGroup(world.nextSerial(), world.newId("sg"), name, description, vpc,
          world.accountId, false);
      group.tags.putAll(tags);
      world.add(group);
      XmlWriter xml = Ec2Xml.response("CreateSecurityGroup", requestId).leaf("return", true).leaf("groupId", group.groupId);
      return Ec2Xml.tags(xml, group.tags).end("CreateSecurityGroupResponse");
    }
  }

  String authorizeSecurityGroupIngress(Ec2Request request, String requestId) {
    String groupId = request.required("GroupId");
    List<Ec2SecurityGroup.Rule> rules = new java.util.ArrayList<>();
    for (Ec2Request permission : request.structs("IpPermissions")) {
      String protocol = permission.required("IpProtocol");
      int from = permission.integer("FromPort") == null ? -1 : permission.integer("FromPort");
      int to = permission.integer("ToPort") == null ? -1 : permission.integer("ToPort");
      for (Ec2Request range : permission.structs("IpRanges")) {
        String cidr = range.required("CidrIp");
        if (!cidr.matches("\\d{1,3}(\\.\\d{1,3}){3}/\\d{1,2}")) {
          throw new QueryFailure(Ec2Errors.invalidParameterValue("CIDR block " + cidr + " is malformed"));
        }
        rules.add(new Ec2SecurityGroup.Rule(protocol, from, to, cidr));
      }
    }
    if (rules.isEmpty()) {
      throw new QueryFailure(Ec2Errors.missingParameter("IpPermissions"));
    }
    synchronized (world) {
      Ec2SecurityGroup group = existing(groupId);
      if (request.dryRun()) {
        throw new QueryFailure(Ec2Errors.dryRun());
      }
      for (Ec2SecurityGroup.Rule rule : rules) {
        if (group.ingress.contains(rule)) {
          throw new QueryFailure(new QueryError(400, "InvalidPermission.Duplicate",
              "the specified rule \"peer: " + rule.cidr() + ", " + rule.protocol() + "\" already exists"));
        }
      }
      group.ingress.addAll(rules);
    }
    return Ec2Xml.response("AuthorizeSecurityGroupIngress", requestId).leaf("return", true)
        .end("AuthorizeSecurityGroupIngressResponse");
  }

  String deleteSecurityGroup(Ec2Request request, String requestId) {
    String groupId = request.required("GroupId");
    synchronized (world) {
      Ec2SecurityGroup group = existing(groupId);
      boolean used = world.instances().stream()
          .anyMatch(m -> m.securityGroupIds.contains(groupId) && !"terminated".equals(world.state(m)));
      if (used) {
        throw new QueryFailure(new QueryError(400, "DependencyViolation",
            "resource " + groupId + " has a dependent object"));
      }
      if (group.builtIn) {
        throw new QueryFailure(new QueryError(400, "CannotDelete", "the specified group: \"" + groupId
            + "\" name: \"default\" cannot be deleted by a user"));
      }
      if (request.dryRun()) {
        throw new QueryFailure(Ec2Errors.dryRun());
      }
      world.remove(group);
    }
    return Ec2Xml.response("DeleteSecurityGroup", requestId).leaf("return", true).end("DeleteSecurityGroupResponse");
  }

  private Ec2SecurityGroup existing(String groupId) {
    Ec2SecurityGroup group = world.group(groupId);
    if (group == null) {
      throw new QueryFailure(Ec2Errors.groupNotFound(groupId));
    }
    return group;
  }
}
