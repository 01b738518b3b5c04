package dev.berth.provisioner;

import dev.berth.provisioner.spec.GroupSpec;
import java.util.List;
import java.util.stream.Collectors;

/** Group specs for tests, in InfraKit's format. */
public final class TestSpecs {

  private TestSpecs() {}

  /** The example, unchanged. */
  public static final String EXAMPLE = """
      {"ID": "aws-example",
       "Properties": {
         "Allocation": {"Size": 1},
         "Instance": {"Plugin": "aws/ec2-instance",
           "Properties": {
             "RunInstancesInput": {"ImageId": "ami-4926fd29", "KeyName": "my-laptop",
               "Placement": {"AvailabilityZone": "us-west-2a"},
               "SecurityGroupIds": ["sg-57411931"]},
             "Tags": {"Name": "infrakit-example"}}},
         "Flavor": {"Plugin": "vanilla",
           "Properties": {"Init": ["sh -c \\"echo 'Hello, World!' > /hello\\""]}}}}
      """;

  /** A group of {@code size} instances of {@code image}, with an updating section (JSON) or none. */
  public static GroupSpec size(String id, int size, String image, String updating) {
    return GroupSpec.parse(json(id, "\"Size\": " + size, image, updating));
  }

  public static GroupSpec size(String id, int size) {
    return size(id, size, "ami-4926fd29", null);
  }

  /** A group of one instance per address. */
  public static GroupSpec logical(String id, String image, List<String> addresses) {
    String ids = addresses.stream().map(a -> "\"" + a + "\"").collect(Collectors.joining(", "));
    return GroupSpec.parse(json(id, "\"LogicalIDs\": [" + ids + "]", image, null));
  }

  private static String json(String id, String allocation, String image, String updating) {
    return """
        {"ID": "%s", "Properties": {
          "Allocation": {%s},
          "Instance": {"Plugin": "aws/ec2-instance", "Properties": {
            "RunInstancesInput": {"ImageId": "%s", "InstanceType": "t3.micro"},
            "Tags": {"tier": "test"}}},
          "Flavor": {"Plugin": "vanilla", "Properties": {"Init": ["#!/bin/sh", "echo %s"]}}%s}}
        """.formatted(id, allocation, image, id, updating == null ? "" : ", \"Updating\": " + updating);
  }
}
