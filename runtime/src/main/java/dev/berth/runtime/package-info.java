/**
 * What every Berth component runs on. {@link dev.berth.runtime.BerthRuntime} makes the one event
 * loop (or takes the caller's), the meter registry, and the AWS SDK clients on that loop;
 * {@link dev.berth.runtime.HostCredentials} resolves the daemon's own credentials off the loop and
 * serves them from memory, so no SDK client ever blocks a loop on the instance's metadata service.
 */
package dev.berth.runtime;
