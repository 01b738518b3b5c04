package dev.berth.encryptor;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.runtime.Durations;
import java.util.List;
import java.util.Map;

/**
 * An {@code encrypt} request as JSON: the body of the daemon's {@code POST /v1/encryptions}, and
 * what {@code berth-encryptor encrypt --daemon} sends. The fields are the command's options in camel
 * case ({@code --kms-key-id} is {@code kmsKeyId}, {@code --tag K=V} is {@code tags}); only
 * {@code image} is required, every default is the command line's, and {@link #toSpec()} is the one
 * way both turn options into an {@link EncryptSpec}.
 *
 * <pre>{@code
 * {"image": "ami-0123456789abcdef0", "kmsKeyId": "alias/images", "tags": {"team": "web"}, "timeout": "2h"}
 * }</pre>
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EncryptRequest(String image, String encryptedAmiName, String kmsKeyId, Map<String, String> tags,
    String strategy, String encryptorAmi, String encryptorCatalog, String updaterInstanceType, List<String> ntpServers,
    List<String> proxies, String proxyConfig, String token, Integer statusPort, String statusTimeout, String statusCidr,
    String guestInstanceType, String subnet, List<String> securityGroups, String timeout, Boolean noValidate) {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectReader READER = JSON.readerFor(EncryptRequest.class)
      .with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** Reads a request body; an {@link EncryptorException} (invalid) names what is wrong. */
  public static EncryptRequest parse(String json) {
    EncryptRequest request;
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

  /** This request as JSON, fields left out where they are not set. */
  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("an encrypt request cannot be written as JSON", e);
    }
  }

  /**
   * The spec the encryptor runs.
   *
   * @throws EncryptorException of kind {@code INVALID} naming the option that is wrong
   */
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
      spec.timeout(duration("timeout", timeout));
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
      instance.statusTimeout(duration("statusTimeout", statusTimeout));
    }
    spec.instance(instance.build());
    if (tags != null) {
      tags.forEach(spec::tag);
    }
    return spec.build();
  }

  private static java.time.Duration duration(String field, String value) {
    try {
      return Durations.parse(field, value);
    } catch (IllegalArgumentException e) {
      throw invalid(e.getMessage());
    }
  }

  private static EncryptorException invalid(String message) {
    return new EncryptorException(EncryptorException.Kind.INVALID, message, null);
  }
}
