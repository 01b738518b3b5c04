package dev.berth.proxy;

import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.InstanceProfileCredentialsProvider;

/**
 * Run inside a container by {@link ContainerCredentialsIT}: the AWS SDK for Java v2's own
 * instance-profile provider, pointed at the proxy by {@code AWS_EC2_METADATA_SERVICE_ENDPOINT},
 * prints the access key id it obtained.
 */
public final class ImdsProbe {

  private ImdsProbe() {}

  public static void main(String[] args) {
    try (InstanceProfileCredentialsProvider provider = InstanceProfileCredentialsProvider.builder().build()) {
      AwsCredentials credentials = provider.resolveCredentials();
      System.out.println(credentials.accessKeyId());
    }
  }
}
