/**
 * The daemon's own AWS credentials for SDK clients that run on an event loop: {@link
 * dev.berth.hostcredentials.HostCredentials} resolves the SDK's chain off the loop and serves it from
 * memory, so neither the proxy's STS client nor the provisioner's EC2 client ever blocks a loop on the
 * instance's metadata service.
 */
package dev.berth.hostcredentials;
