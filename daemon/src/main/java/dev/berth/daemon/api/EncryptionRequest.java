package dev.berth.daemon.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.berth.encryptor.EncryptSpec;
import dev.berth.encryptor.EncryptorException;
import dev.berth.encryptor.InstanceSettings;
import dev.berth.encryptor.Strategy;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The body of {@code POST /v1/encryptions}: {@code berth-encryptor encrypt}'s options, named as on
 * the command line in camel case ({@code --kms-key-id} is {@code kmsKeyId}); only {@code image} is
 * required, and every default is the command line's.
 *
 * <pre>{@code
 * {"image": "ami-0123456789abcdef0", "kmsKeyId": "alias/images", "tags": {"team": "web"}, "timeout": "2h"}
 * }</pre>
 */
public record EncryptionRequest(String image, String encryptedAmiName, String kmsKeyId, Map<String, String> tags,
    String strategy, String encryptorAmi, String encryptorCatalog, String updaterInstanceType, List<String> ntpServers,
    List<String> proxies, String proxyConfig, String token, Integer statusPort, String statusTimeout, String statusCidr,
    String guestInstanceType, String subnet, List<String> securityGroups, String timeout, Boolean noValidate) {

  private static final ObjectReader READER = Answers.JSON.readerFor(EncryptionRequest.class)
      .with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** Reads a request body; an {@link EncryptorException} (invalid) names what is wrong. */
  public static EncryptionRequest parse(String json) {
    EncryptionRequest request;
    try {
      request = READER.readValue(json.isBlank() ? "null" : json);
    } catch (UnrecognizedPropertyException e) {
      throw invalid("unknown field '" + e.getPropertyName() + "'; the fields are the options of 'berth-encryptor "
          + "encrypt' in camel case, e.g. kmsKeyId");
    } catch (JsonProcessingException e) {
      throw invalid("the body is not a JSON object of encrypt options: " + e.getOriginalMessage());
    }
    if (request == null || request.image() == null || request.image().isBlank()) {
      throw invalid("'image' is required: the id of the image to encrypt, e.g. ami-0123456789abcdef0");
    }
    return request;
  }

  /** The spec the encryptor runs. */
  public EncryptSpec toSpec() {
    EncryptSpec.Builder spec = EncryptSpec.builder(image).encryptedName(encryptedAmiName).kmsKeyId(kmsKeyId)
        .strategy(strategy == null ? Strategy.NATIVE : switch (strategy) {
          case "native" -> Strategy.NATIVE;
          case "instance" -> Strategy.INSTANCE;
          default -> throw invalid("strategy '" + strategy + "' is unknown; expected native or instance");
        })
        .subnetId(subnet)
        .securityGroupIds(securityGroups == null ? List.of() : securityGroups)
        .validate(noValidate == null || !noValidate);
    if (guestInstanceType != null) {
      spec.guestInstanceType(guestInstanceType);
    }
    if (timeout != null) {
      spec.timeout(Durations.parse("timeout", timeout));
    }
    InstanceSettings.Builder instance = InstanceSettings.builder().encryptorImageId(encryptorAmi)
        .encryptorCatalog(encryptorCatalog).statusCidr(statusCidr).proxyConfig(proxyConfig).token(token)
        .ntpServers(ntpServers == null ? List.of() : ntpServers).proxies(proxies == null ? List.of() : proxies);
    if (updaterInstanceType != null) {
      instance.encryptorInstanceType(updaterInstanceType);
    }
    if (statusPort != null) {
      instance.statusPort(statusPort);
    }
    if (statusTimeout != null) {
      instance.statusTimeout(Durations.parse("statusTimeout", statusTimeout));
    }
    spec.instance(instance.build());
    if (tags != null) {
      tags.forEach(spec::tag);
    }
    return spec.build();
  }

  private static EncryptorException invalid(String message) {
    return new EncryptorException(EncryptorException.Kind.INVALID, message, null);
  }
}
