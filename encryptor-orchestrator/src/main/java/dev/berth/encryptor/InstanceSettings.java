package dev.berth.encryptor;

import static dev.berth.encryptor.EncryptSpec.check;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What strategy {@code instance} needs besides the rest of an {@link EncryptSpec}: the encryptor's
 * image (or a catalog naming one per region), how to reach and judge its status port, and what
 * its user data tells it (NTP servers, an HTTP proxy, an identity token).
 *
 * @param encryptorImageId the encryptor image ({@code --encryptor-ami})
 * @param encryptorCatalog a JSON file or http(s) URL mapping region to image id ({@code --encryptor-catalog}), as
 *     brkt's {@code hvm_amis.json} did; excludes {@code encryptorImageId}
 * @param encryptorInstanceType the encryptor instance's type ({@code --updater-instance-type})
 * @param statusPort 1 to 65535 but 81 (brkt's encryptor used 81 itself); 80 by default
 * @param statusTimeout how long the encryptor may report no progress; 10 minutes by default
 * @param statusCidr who may reach the status port, or empty for this machine's address on its route
 *     to the subnet (a /32)
 * @param ntpServers NTP servers for the encryptor
 * @param proxies {@code HOST:PORT} HTTP proxies for the encryptor; exclude {@code proxyConfig}
 * @param proxyConfig the contents of a proxy configuration file for the encryptor
 * @param token an identity token for the encryptor
 */
public record InstanceSettings(Optional<String> encryptorImageId, Optional<String> encryptorCatalog,
    String encryptorInstanceType, int statusPort, Duration statusTimeout, Optional<String> statusCidr,
    List<String> ntpServers, List<String> proxies, Optional<String> proxyConfig, Optional<String> token) {

  private static final Pattern CIDR = Pattern.compile("(\\d{1,3}\\.){3}\\d{1,3}/([1-9]|[12]\\d|3[0-2])");
  private static final Pattern HOST_PORT = Pattern.compile("[A-Za-z0-9.\\-]+:\\d{1,5}");
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.\\-]+");

  /**
   * Checks every component; see the class comment.
   *
   * @param encryptorImageId the image, or empty
   * @param encryptorCatalog the catalog, or empty
   * @param encryptorInstanceType the encryptor's type
   * @param statusPort the port
   * @param statusTimeout the silence limit
   * @param statusCidr the CIDR, or empty
   * @param ntpServers the NTP servers; copied
   * @param proxies the proxies; copied
   * @param proxyConfig the proxy configuration, or empty
   * @param token the token, or empty
   */
  public InstanceSettings {
    Objects.requireNonNull(encryptorImageId, "encryptorImageId");
    Objects.requireNonNull(encryptorCatalog, "encryptorCatalog");
    Objects.requireNonNull(encryptorInstanceType, "encryptorInstanceType");
    Objects.requireNonNull(statusTimeout, "statusTimeout");
    Objects.requireNonNull(statusCidr, "statusCidr");
    Objects.requireNonNull(proxyConfig, "proxyConfig");
    Objects.requireNonNull(token, "token");
    ntpServers = List.copyOf(ntpServers);
    proxies = List.copyOf(proxies);
    encryptorImageId.ifPresent(id -> check(EncryptSpec.IMAGE_ID.matcher(id).matches(),
        "--encryptor-ami '" + id + "' is not an image id; expected ami- and 8 or 17 hex digits"));
    check(encryptorImageId.isEmpty() || encryptorCatalog.isEmpty(),
        "--encryptor-ami and --encryptor-catalog exclude each other; expected one of them");
    check(statusPort >= 1 && statusPort <= 65_535 && statusPort != 81,
        "--status-port " + statusPort + " is not allowed; expected 1 to 65535 but 81");
    check(!statusTimeout.isNegative() && !statusTimeout.isZero(), "--status-timeout must be positive, got " + statusTimeout);
    statusCidr.ifPresent(c -> check(CIDR.matcher(c).matches() && !c.endsWith("/0"),
        "--status-cidr '" + c + "' is not a CIDR block narrower than /0; expected e.g. 203.0.113.7/32"));
    ntpServers.forEach(n -> check(HOST.matcher(n).matches(), "--ntp-server '" + n + "' is not a host name or address"));
    proxies.forEach(p -> check(HOST_PORT.matcher(p).matches() && Integer.parseInt(p.substring(p.lastIndexOf(':') + 1)) <= 65_535,
        "--proxy '" + p + "' is not HOST:PORT; expected e.g. proxy.example.com:3128"));
    check(proxies.isEmpty() || proxyConfig.isEmpty(), "--proxy and --proxy-config-file exclude each other; expected one of them");
  }

  /**
   * A builder with every setting at its default.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /** The user data an encryptor instance gets: this run's settings for it, as JSON. */
  String userData() {
    var json = Journal.JSON.createObjectNode();
    var brkt = json.putObject("brkt");
    brkt.put("status_port", statusPort);
    ntpServers.forEach(brkt.putArray("ntp_servers")::add);
    if (!proxies.isEmpty()) {
      var list = brkt.putArray("proxies");
      proxies.forEach(p -> list.addObject().put("host", p.substring(0, p.lastIndexOf(':')))
          .put("port", Integer.parseInt(p.substring(p.lastIndexOf(':') + 1))));
    }
    proxyConfig.ifPresent(c -> brkt.put("proxy_config", c));
    token.ifPresent(t -> brkt.put("identity_token", t));
    return json.toString();
  }

  /** Settings for {@link InstanceSettings}; {@link #build()} checks them. */
  public static final class Builder {

    private String encryptorImageId;
    private String encryptorCatalog;
    private String encryptorInstanceType = EncryptSpec.DEFAULT_INSTANCE_TYPE;
    private int statusPort = 80;
    private Duration statusTimeout = Duration.ofMinutes(10);
    private String statusCidr;
    private List<String> ntpServers = List.of();
    private List<String> proxies = List.of();
    private String proxyConfig;
    private String token;

    private Builder() {}

    /**
     * @param imageId the encryptor image, or {@code null}
     * @return this builder
     */
    public Builder encryptorImageId(String imageId) {
      this.encryptorImageId = imageId;
      return this;
    }

    /**
     * @param catalog a JSON file or http(s) URL mapping region to encryptor image, or {@code null}
     * @return this builder
     */
    public Builder encryptorCatalog(String catalog) {
      this.encryptorCatalog = catalog;
      return this;
    }

    /**
     * @param type the encryptor instance's type
     * @return this builder
     */
    public Builder encryptorInstanceType(String type) {
      this.encryptorInstanceType = Objects.requireNonNull(type, "type");
      return this;
    }

    /**
     * @param port the status port
     * @return this builder
     */
    public Builder statusPort(int port) {
      this.statusPort = port;
      return this;
    }

    /**
     * @param timeout the silence limit
     * @return this builder
     */
    public Builder statusTimeout(Duration timeout) {
      this.statusTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * @param cidr who may reach the status port, or {@code null} for the derived /32
     * @return this builder
     */
    public Builder statusCidr(String cidr) {
      this.statusCidr = cidr;
      return this;
    }

    /**
     * @param servers NTP servers
     * @return this builder
     */
    public Builder ntpServers(List<String> servers) {
      this.ntpServers = List.copyOf(servers);
      return this;
    }

    /**
     * @param proxies {@code HOST:PORT} proxies
     * @return this builder
     */
    public Builder proxies(List<String> proxies) {
      this.proxies = List.copyOf(proxies);
      return this;
    }

    /**
     * @param config the contents of a proxy configuration file, or {@code null}
     * @return this builder
     */
    public Builder proxyConfig(String config) {
      this.proxyConfig = config;
      return this;
    }

    /**
     * @param token an identity token, or {@code null}
     * @return this builder
     */
    public Builder token(String token) {
      this.token = token;
      return this;
    }

    /**
     * Checks the settings.
     *
     * @return the settings
     * @throws EncryptorException of kind {@code INVALID} naming the option that is wrong
     */
    public InstanceSettings build() {
      return new InstanceSettings(Optional.ofNullable(encryptorImageId), Optional.ofNullable(encryptorCatalog),
          encryptorInstanceType, statusPort, statusTimeout, Optional.ofNullable(statusCidr), ntpServers, proxies,
          Optional.ofNullable(proxyConfig), Optional.ofNullable(token));
    }
  }
}
