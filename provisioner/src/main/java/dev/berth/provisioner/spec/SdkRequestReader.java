package dev.berth.provisioner.spec;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.core.protocol.MarshallingType;
import software.amazon.awssdk.core.traits.ListTrait;
import software.amazon.awssdk.core.traits.MapTrait;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.utils.builder.SdkBuilder;

/**
 * Reads a {@code RunInstancesInput} written with the EC2 API's member names (the Go SDK's
 * {@code ImageId}, {@code Placement.AvailabilityZone}, {@code BlockDeviceMappings[].Ebs.VolumeSize}
 * ...) into the SDK v2 request, through the SDK's own model: every member the API has is accepted
 * with its type checked, and nothing else.
 */
final class SdkRequestReader {

  private SdkRequestReader() {}

  static RunInstancesRequest runInstances(JsonField input) {
    RunInstancesRequest.Builder builder = RunInstancesRequest.builder();
    fill(builder, input.object("an object of RunInstances parameters, e.g. {\"ImageId\": \"ami-4926fd29\"}"));
    return builder.build();
  }

  private static void fill(SdkPojo builder, JsonField object) {
    Map<String, SdkField<?>> members = new TreeMap<>();
    builder.sdkFields().forEach(f -> members.put(f.memberName(), f));
    object.only(members.keySet());
    for (String name : object.fieldNames()) {
      JsonField value = object.get(name);
      if (value.present()) {
        SdkField<?> field = members.get(name);
        field.set(builder, convert(field, value));
      }
    }
  }

  private static Object convert(SdkField<?> field, JsonField value) {
    MarshallingType<?> type = field.marshallingType();
    if (type == MarshallingType.STRING) {
      return value.text("a string");
    } else if (type == MarshallingType.INTEGER) {
      return value.integer(Integer.MIN_VALUE, Integer.MAX_VALUE);
    } else if (type == MarshallingType.LONG) {
      if (!value.node().isIntegralNumber() || !value.node().canConvertToLong()) {
        throw value.expected("a whole number");
      }
      return value.node().longValue();
    } else if (type == MarshallingType.BOOLEAN) {
      return value.bool();
    } else if (type == MarshallingType.DOUBLE || type == MarshallingType.FLOAT) {
      if (!value.node().isNumber()) {
        throw value.expected("a number");
      }
      return type == MarshallingType.DOUBLE ? (Object) value.node().doubleValue() : (Object) value.node().floatValue();
    } else if (type == MarshallingType.INSTANT) {
      try {
        return Instant.parse(value.text("a timestamp like 2026-01-01T00:00:00Z"));
      } catch (DateTimeParseException e) {
        throw value.expected("a timestamp like 2026-01-01T00:00:00Z");
      }
    } else if (type == MarshallingType.SDK_BYTES) {
      try {
        return SdkBytes.fromByteArray(Base64.getDecoder().decode(value.text("base64 text")));
      } catch (IllegalArgumentException e) {
        throw value.expected("base64 text");
      }
    } else if (type == MarshallingType.SDK_POJO) {
      SdkPojo nested = field.constructor().get();
      fill(nested, value.object("an object"));
      return ((SdkBuilder<?, ?>) nested).build();
    } else if (type == MarshallingType.LIST) {
      SdkField<?> member = field.getRequiredTrait(ListTrait.class).memberFieldInfo();
      List<Object> out = new ArrayList<>();
      for (JsonField element : value.elements("an array")) {
        if (!element.present()) {
          throw element.expected("a value");
        }
        out.add(convert(member, element));
      }
      return out;
    } else if (type == MarshallingType.MAP) {
      SdkField<?> member = field.getRequiredTrait(MapTrait.class).valueFieldInfo();
      Map<String, Object> out = new LinkedHashMap<>();
      for (String key : value.object("an object").fieldNames()) {
        out.put(key, convert(member, value.get(key)));
      }
      return out;
    }
    throw value.fail("the provisioner cannot read a value of type " + type + " here");
  }
}
