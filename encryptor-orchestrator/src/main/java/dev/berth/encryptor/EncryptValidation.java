package dev.berth.encryptor;

import dev.berth.provisioner.ec2.Ec2CallException;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import reactor.core.publisher.Mono;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.ec2.model.DeviceType;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.VirtualizationType;

/**
 * Everything {@code encrypt} checks before it creates anything, with read calls only
 * ({@code DescribeImages}, {@code DescribeSubnets}, {@code DescribeSecurityGroups},
 * {@code GetEbsDefaultKmsKeyId}): the image exists, is EBS-backed, HVM and available, was not made
 * by this tool; the new name is free; the subnet and security groups share one VPC. With
 * {@code --no-validate} only what the run cannot do without is kept (the image and its layout, the
 * key). Every refusal is an {@link EncryptorException} of kind {@code INVALID} naming the option.
 */
final class EncryptValidation {

  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmm").withZone(ZoneOffset.UTC);
  private static final java.util.regex.Pattern ENCRYPTED_SUFFIX = java.util.regex.Pattern.compile(" \\(encrypted [^)]*\\)$");
  private static final Set<String> NOT_FOUND = Set.of("InvalidAMIID.NotFound", "InvalidAMIID.Malformed",
      "InvalidAMIID.Unavailable");

  private final Ec2AsyncClient ec2;
  private final EncryptorCatalog catalog;
  private final Clock clock;

  EncryptValidation(Ec2AsyncClient ec2, EncryptorCatalog catalog, Clock clock) {
    this.ec2 = ec2;
    this.catalog = catalog;
    this.clock = clock;
  }

  Mono<Plan> check(EncryptSpec spec, Session session, boolean update) {
    return image(spec.imageId()).flatMap(source -> {
      if (source.rootDeviceType() != DeviceType.EBS) {
        return invalid("ID " + spec.imageId() + " is backed by " + source.rootDeviceTypeAsString()
            + "; expected an EBS-backed image (instance-store images cannot be encrypted)");
      }
      if (source.virtualizationType() == VirtualizationType.PARAVIRTUAL) {
        return invalid("ID " + spec.imageId() + " is a paravirtual image; no current instance type runs one "
            + "(expected an HVM image)");
      }
      String name = spec.encryptedName().orElseGet(() -> derivedName(source.name(), session));
      String description = truncate("Encrypted copy of " + source.imageId() + " (" + source.name()
          + ") by berth-encryptor, session " + session.id(), 255);
      Mono<Void> checks = spec.validate() ? checks(spec, source, name, update) : Mono.empty();
      return checks.then(Mono.zip(key(spec), statusCidr(spec), encryptorImage(spec)))
          .map(t -> new Plan(source, name, description, t.getT1(), !source.productCodes().isEmpty(),
              spec.securityGroupIds(), t.getT2(), t.getT3()));
    });
  }

  private Mono<Image> image(String imageId) {
    return Ec2Waits.call(ec2, () -> ec2.describeImages(r -> r.imageIds(imageId)))
        .flatMap(r -> r.images().isEmpty() ? notFound(imageId) : Mono.just(r.images().get(0)))
        .onErrorResume(Ec2CallException.class, e -> NOT_FOUND.contains(e.code()) ? notFound(imageId) : Mono.error(e));
  }

  private Mono<Void> checks(EncryptSpec spec, Image source, String name, boolean update) {
    if (!"available".equals(source.stateAsString())) {
      return invalid("ID " + source.imageId() + " is " + source.stateAsString() + "; expected an available image");
    }
    String from = SessionTags.value(source.tags(), SessionTags.ENCRYPTED_FROM);
    if (update && from == null) {
      return invalid("ID " + source.imageId() + " was not made by berth-encryptor (it has no " + SessionTags.ENCRYPTED_FROM
          + " tag); expected an image made by `encrypt` (use `encrypt` for this one)");
    }
    if (!update && from != null) {
      return invalid("ID " + source.imageId() + " was already encrypted by berth-encryptor (from " + from
          + "); expected an image this tool did not make (use `update` to re-encrypt it)");
    }
    Mono<Void> nameFree = Ec2Waits.call(ec2, () -> ec2.describeImages(r -> r.owners("self")
            .filters(Filter.builder().name("name").values(name).build())))
        .flatMap(r -> r.images().isEmpty() ? Mono.<Void>empty()
            : invalid("--encrypted-ami-name '" + name + "' is already used by " + r.images().get(0).imageId()
                + "; expected a name no image of this account has"));
    return nameFree.then(network(spec));
  }

  private Mono<Void> network(EncryptSpec spec) {
    Mono<List<String>> subnetVpc = spec.subnetId().map(subnet -> Ec2Waits.call(ec2, () -> ec2.describeSubnets(r -> r.subnetIds(subnet)))
        .map(r -> r.subnets().stream().map(s -> "--subnet " + subnet + " is in " + s.vpcId()).toList())
        .onErrorResume(Ec2CallException.class, e -> e.code().startsWith("InvalidSubnetID")
            ? invalid("--subnet " + subnet + " does not exist; expected a subnet id of this account and region")
            : Mono.error(e)))
        .orElse(Mono.just(List.of()));
    Mono<List<String>> groupVpcs = spec.securityGroupIds().isEmpty() ? Mono.just(List.of())
        : Ec2Waits.call(ec2, () -> ec2.describeSecurityGroups(r -> r.groupIds(spec.securityGroupIds())))
            .map(r -> r.securityGroups().stream().map(g -> "--security-group " + g.groupId() + " is in " + g.vpcId()).toList())
            .onErrorResume(Ec2CallException.class, e -> e.code().startsWith("InvalidGroup")
                ? invalid("--security-group: " + e.getMessage() + "; expected security group ids of this account and region")
                : Mono.error(e));
    return Mono.zip(subnetVpc, groupVpcs).flatMap(both -> {
      List<String> all = new ArrayList<>(both.getT1());
      all.addAll(both.getT2());
      Set<String> vpcs = new LinkedHashSet<>(all.stream().map(s -> s.substring(s.lastIndexOf(' ') + 1)).toList());
      return vpcs.size() <= 1 ? Mono.<Void>empty()
          : invalid(String.join(", ", all) + "; expected the subnet and every security group in one VPC");
    });
  }

  // Strategy instance: the encryptor image, named or looked up in the catalog, and known to EC2.
  private Mono<String> encryptorImage(EncryptSpec spec) {
    if (spec.strategy() != Strategy.INSTANCE) {
      return Mono.just("");
    }
    String option = spec.instance().encryptorImageId().isPresent() ? "--encryptor-ami " : "--encryptor-catalog's image ";
    Mono<String> id = spec.instance().encryptorImageId().map(Mono::just).orElseGet(() ->
        catalog.imageFor(spec.instance().encryptorCatalog().orElseThrow(), ec2.serviceClientConfiguration().region().id()));
    return id.flatMap(imageId -> image(imageId).onErrorMap(e -> e instanceof EncryptorException,
            e -> EncryptorException.invalid(option + imageId + " does not exist or is not visible to this account; "
                + "expected the encryptor image of this region"))
        .thenReturn(imageId));
  }

  // Strategy instance: who may reach the status port, found before anything is created.
  private Mono<String> statusCidr(EncryptSpec spec) {
    if (spec.strategy() != Strategy.INSTANCE) {
      return Mono.just("");
    }
    return spec.instance().statusCidr().map(Mono::just).orElseGet(() -> {
      String subnet = spec.subnetId().orElseThrow();
      return Ec2Waits.call(ec2, () -> ec2.describeSubnets(r -> r.subnetIds(subnet)))
          .onErrorMap(e -> e instanceof Ec2CallException c && c.code().startsWith("InvalidSubnetID"),
              e -> EncryptorException.invalid("--subnet " + subnet + " does not exist; expected a subnet id of this account and region"))
          .publishOn(reactor.core.scheduler.Schedulers.boundedElastic())
          .map(r -> StatusCidr.toward(r.subnets().get(0).cidrBlock()));
    });
  }

  private Mono<String> key(EncryptSpec spec) {
    return spec.kmsKeyId().map(Mono::just).orElseGet(() ->
        Ec2Waits.call(ec2, () -> ec2.getEbsDefaultKmsKeyId(r -> { })).map(r -> r.kmsKeyId()));
  }

  // brkt-cli appended "(encrypted SESSION)"; a timestamp reads better and stays unique per minute.
  private String derivedName(String sourceName, Session session) {
    String suffix = " (encrypted " + STAMP.format(clock.instant()) + " " + session.id().substring(4, 10) + ")";
    // An image this tool made keeps its name stem: the old suffix goes, a new one comes.
    String stem = sourceName == null ? "image" : ENCRYPTED_SUFFIX.matcher(sourceName).replaceFirst("");
    String base = stem.replaceAll("[^A-Za-z0-9()\\[\\] ./\\-'@_]", "_");
    return truncate(base, 128 - suffix.length()) + suffix;
  }

  private static String truncate(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max);
  }

  private static <T> Mono<T> notFound(String imageId) {
    return invalid("ID " + imageId + " does not exist or is not visible to this account (InvalidAMIID.NotFound); "
        + "expected an image id of this region");
  }

  private static <T> Mono<T> invalid(String message) {
    return Mono.error(EncryptorException.invalid(message));
  }
}
