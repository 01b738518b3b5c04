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
    Map<String, String> volumeTags,
    List<Ebs> ebs,
    int minCount,
    int maxCount) {

  /** One {@code BlockDeviceMapping.N} of the launch: what to change of the image's mapping for a device. */
  record Ebs(String deviceName, String snapshotId, Boolean encrypted, String kmsKeyId, Boolean deleteOnTermination,
      Integer volumeSize) {}

  Ec2Launch {
    securityGroupIds = List.copyOf(securityGroupIds);
    instanceTags = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(instanceTags));
    volumeTags = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(volumeTags));
    ebs = List.copyOf(ebs);
  }
}
