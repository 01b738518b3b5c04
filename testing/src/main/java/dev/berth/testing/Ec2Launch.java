package dev.berth.testing;

import java.util.List;
import java.util.Map;

/** A validated {@code RunInstances} request: what every instance of the reservation gets. */
record Ec2Launch(
    String imageId,
    String instanceType,
    String keyName,
    String availabilityZone,
    String subnetId,
    String privateIpAddress,
    List<String> securityGroupIds,
    String userData,
    String clientToken,
    Map<String, String> instanceTags,
    int minCount,
    int maxCount) {

  Ec2Launch {
    securityGroupIds = List.copyOf(securityGroupIds);
    instanceTags = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(instanceTags));
  }
}
