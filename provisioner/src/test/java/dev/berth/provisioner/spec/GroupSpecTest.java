package dev.berth.provisioner.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;

final class GroupSpecTest {

  private static final String EXAMPLE_HASH = "iififwhdtfvy4mk2davcik2lxu57cgq3";

  @Test
  void parse_issueExample_everyFieldMapped() throws IOException {
    GroupSpec spec = GroupSpec.parse(ConfigHashTest.resource("example.json"));

    assertThat(spec.id()).isEqualTo("aws-example");
    assertThat(spec.allocation().count()).isEqualTo(1);
    assertThat(spec.allocation().size()).contains(1);
    RunInstancesRequest run = spec.instance().runInstances();
    assertThat(run.imageId()).isEqualTo("ami-4926fd29");
    assertThat(run.keyName()).isEqualTo("my-laptop");
    assertThat(run.placement().availabilityZone()).isEqualTo("us-west-2a");
    assertThat(run.securityGroupIds()).containsExactly("sg-57411931");
    assertThat(spec.instance().plugin()).isEqualTo("aws/ec2-instance");
    assertThat(spec.flavor().init()).containsExactly("sh -c \"echo 'Hello, World!' > /hello\"");
    assertThat(spec.userData()).contains("sh -c \"echo 'Hello, World!' > /hello\"");
    assertThat(spec.instanceTags()).containsExactly(Map.entry("Name", "infrakit-example"),
        Map.entry("infrakit.group", "aws-example"), Map.entry("infrakit.config.hash", EXAMPLE_HASH));
    assertThat(spec.updating()).isEqualTo(Updating.DEFAULT);
  }

  @Test
  void parse_nestedSdkMembers_mappedOntoTheSdkRequest() {
    GroupSpec spec = GroupSpec.parse(spec("\"Size\": 2", """
        "ImageId": "ami-12345678", "InstanceType": "t3.micro", "EbsOptimized": true,
        "IamInstanceProfile": {"Name": "web"},
        "BlockDeviceMappings": [{"DeviceName": "/dev/sdh", "Ebs": {"VolumeSize": 100, "VolumeType": "gp3"}}],
        "TagSpecifications": [{"ResourceType": "volume", "Tags": [{"Key": "k", "Value": "v"}]}],
        "UserData": "#!/bin/sh"
        """, "{}"));

    RunInstancesRequest run = spec.instance().runInstances();
    assertThat(run.instanceTypeAsString()).isEqualTo("t3.micro");
    assertThat(run.ebsOptimized()).isTrue();
    assertThat(run.iamInstanceProfile().name()).isEqualTo("web");
    assertThat(run.blockDeviceMappings().get(0).ebs().volumeSize()).isEqualTo(100);
    assertThat(run.tagSpecifications().get(0).tags().get(0).key()).isEqualTo("k");
    assertThat(spec.userData()).contains("#!/bin/sh");
  }

  @Test
  void parse_logicalIdsAndUpdating_read() {
    GroupSpec spec = GroupSpec.parse("""
        {"ID": "managers", "Properties": {
          "Allocation": {"LogicalIDs": ["10.0.0.5", "10.0.0.6"]},
          "Instance": {"Plugin": "aws/ec2-instance", "Properties": {"RunInstancesInput": {"ImageId": "ami-12345678"}}},
          "Flavor": {"Plugin": "vanilla"},
          "Updating": {"Duration": "1m30s", "MaxUnavailable": 2, "Surge": 1, "SkipBeforeInstanceDestroy": "drain"}}}
        """);

    assertThat(spec.allocation().logicalIds()).containsExactly("10.0.0.5", "10.0.0.6");
    assertThat(spec.allocation().count()).isEqualTo(2);
    assertThat(spec.updating()).isEqualTo(new Updating(0, Duration.ofSeconds(90), 2, 1));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      // where | what | the path | the message contains
      "\"Size\": 1, \"LogicalIDs\": [\"10.0.0.5\"] | | $.Properties.Allocation | got both",
      " | | $.Properties.Allocation | got neither",
      "\"Size\": \"3\" | | $.Properties.Allocation.Size | expected a whole number from 0 to 100000, got the string \"3\"",
      "\"Size\": -1 | | $.Properties.Allocation.Size | got the number -1",
      "\"Size\": 1.5 | | $.Properties.Allocation.Size | got the number 1.5",
      "\"size\": 1 | | $.Properties.Allocation.size | did you mean \"Size\"?",
      "\"LogicalIDs\": [\"web-1\"] | | $.Properties.Allocation.LogicalIDs[0] | a private IPv4 address",
      "\"Size\": 1 | \"KeyName\": \"k\" | $.Properties.Instance.Properties.RunInstancesInput.ImageId | required: the AMI to launch",
      "\"Size\": 1 | \"ImageId\": 42 | $.Properties.Instance.Properties.RunInstancesInput.ImageId | expected a string, got the number 42",
      "\"Size\": 1 | \"ImageId\": \"ami-12345678\", \"Colour\": \"red\" | $.Properties.Instance.Properties.RunInstancesInput.Colour | unknown field \"Colour\"",
      "\"Size\": 1 | \"ImageId\": \"ami-12345678\", \"imageId\": \"x\" | $.Properties.Instance.Properties.RunInstancesInput.imageId | did you mean \"ImageId\"?",
      "\"Size\": 1 | \"ImageId\": \"ami-12345678\", \"Placement\": {\"Zone\": \"a\"} | $.Properties.Instance.Properties.RunInstancesInput.Placement.Zone | unknown field",
      "\"Size\": 1 | \"ImageId\": \"ami-12345678\", \"SecurityGroupIds\": \"sg-1\" | $.Properties.Instance.Properties.RunInstancesInput.SecurityGroupIds | expected an array, got the string \"sg-1\"",
      "\"Size\": 1 | \"ImageId\": \"ami-12345678\", \"EbsOptimized\": \"yes\" | $.Properties.Instance.Properties.RunInstancesInput.EbsOptimized | expected true or false",
      "\"Size\": 1 | \"ImageId\": \"ami-12345678\", \"ClientToken\": \"t\" | $.Properties.Instance.Properties.RunInstancesInput.ClientToken | set by the provisioner",
      "\"Size\": 1 | \"ImageId\": \"ami-12345678\", \"MaxCount\": 5 | $.Properties.Instance.Properties.RunInstancesInput.MaxCount | Allocation sets how many",
      "\"Size\": 2 | \"ImageId\": \"ami-12345678\", \"PrivateIpAddress\": \"10.0.0.5\" | $.Properties.Instance.Properties.RunInstancesInput.PrivateIpAddress | use Allocation.LogicalIDs"})
  void parse_badAllocationOrInstance_rejectedWithPathAndExpectation(String allocation, String runInstances,
      String path, String message) {
    String json = spec(allocation == null ? "" : allocation, runInstances == null ? "\"ImageId\": \"ami-12345678\"" : runInstances, "{}");

    assertThatThrownBy(() -> GroupSpec.parse(json))
        .isInstanceOf(SpecException.class)
        .satisfies(e -> {
          assertThat(((SpecException) e).path()).isEqualTo(path);
          assertThat(((SpecException) e).problem()).contains(message);
        });
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"ID\": \"g\", \"Properties\": {}, \"Extra\": 1} | $.Extra | unknown field \"Extra\"",
      "{\"Properties\": {}} | $.ID | required",
      "{\"ID\": \"has space\", \"Properties\": {}} | $.ID | letters, digits",
      "[] | $ | expected a group spec object",
      "{\"ID\": \"g\", \"ID\": \"h\"} | $ | Duplicate field 'ID'",
      "{\"ID\": \"g\",} | $ | not valid JSON at line 1"})
  void parse_badDocument_rejected(String json, String path, String message) {
    assertThatThrownBy(() -> GroupSpec.parse(json))
        .isInstanceOf(SpecException.class)
        .satisfies(e -> {
          assertThat(((SpecException) e).path()).isEqualTo(path);
          assertThat(((SpecException) e).problem()).contains(message);
        });
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"Plugin\": \"swarm/manager\"} | $.Properties.Flavor.Plugin | expected \"vanilla\"",
      "{\"Plugin\": \"vanilla\", \"Properties\": {\"Init\": \"echo hi\"}} | $.Properties.Flavor.Properties.Init | expected an array of script lines",
      "{\"Plugin\": \"vanilla\", \"Properties\": {\"Init\": [1]}} | $.Properties.Flavor.Properties.Init[0] | expected a line of the boot script",
      "{\"Plugin\": \"vanilla\", \"Properties\": {\"Tags\": {\"infrakit.group\": \"x\"}}} | $.Properties.Flavor.Properties.Tags.infrakit.group | reserved",
      "{\"Plugin\": \"vanilla\", \"Properties\": {\"InitScriptTemplateURL\": \"http://x\"}} | $.Properties.Flavor.Properties.InitScriptTemplateURL | not supported"})
  void parse_badFlavor_rejected(String flavor, String path, String message) {
    assertThatThrownBy(() -> GroupSpec.parse(spec("\"Size\": 1", "\"ImageId\": \"ami-12345678\"", "{}").replace(
            "\"Flavor\": {\"Plugin\": \"vanilla\"}", "\"Flavor\": " + flavor)))
        .isInstanceOf(SpecException.class)
        .satisfies(e -> {
          assertThat(((SpecException) e).path()).isEqualTo(path);
          assertThat(((SpecException) e).problem()).contains(message);
        });
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"Count\": 2, \"Duration\": \"10s\"} | $.Properties.Updating | not both",
      "{\"Duration\": \"ten seconds\"} | $.Properties.Updating.Duration | a duration like",
      "{\"MaxUnavailable\": 0} | $.Properties.Updating | at least 1",
      "{\"Pace\": 1} | $.Properties.Updating.Pace | unknown field"})
  void parse_badUpdating_rejected(String updating, String path, String message) {
    assertThatThrownBy(() -> GroupSpec.parse(spec("\"Size\": 1", "\"ImageId\": \"ami-12345678\"", updating)))
        .isInstanceOf(SpecException.class)
        .satisfies(e -> {
          assertThat(((SpecException) e).path()).isEqualTo(path);
          assertThat(((SpecException) e).problem()).contains(message);
        });
  }

  @Test
  void configHash_allocationChange_sameHash_instanceChange_newHash() {
    String one = GroupSpec.parse(spec("\"Size\": 1", "\"ImageId\": \"ami-12345678\"", "{}")).configHash();
    String five = GroupSpec.parse(spec("\"Size\": 5", "\"ImageId\": \"ami-12345678\"", "{}")).configHash();
    String other = GroupSpec.parse(spec("\"Size\": 1", "\"ImageId\": \"ami-0c55b159cbfafe1f0\"", "{}")).configHash();
    String reordered = GroupSpec.parse(spec("\"Size\": 1", "\"InstanceType\": \"t3.micro\", \"ImageId\": \"ami-12345678\"", "{}"))
        .configHash();
    String reordered2 = GroupSpec.parse(spec("\"Size\": 1", "\"ImageId\": \"ami-12345678\", \"InstanceType\": \"t3.micro\"", "{}"))
        .configHash();

    assertThat(one).isEqualTo(five).isNotEqualTo(other).matches("[a-z2-7]{32}");
    assertThat(reordered).isEqualTo(reordered2);
  }

  static String spec(String allocation, String runInstances, String updating) {
    return """
        {"ID": "web", "Properties": {
          "Allocation": {%s},
          "Instance": {"Plugin": "aws/ec2-instance", "Properties": {"RunInstancesInput": {%s}, "Tags": {"tier": "web"}}},
          "Flavor": {"Plugin": "vanilla"},
          "Updating": %s}}
        """.formatted(allocation, runInstances, updating);
  }
}
