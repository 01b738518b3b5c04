package dev.berth.testing;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * An encryptor instance's status port, as brkt's encryptor served it: {@code GET /} answers JSON
 * with {@code state} (initial, downloading, encrypting, finished, failed), {@code bytes_written},
 * {@code bytes_total} and {@code failure_code}. Bind it to the loopback address the
 * {@link Ec2Emulator} (with {@code loopbackAddresses()}) gives the encryptor instance, so the
 * orchestrator reaches it exactly as it would a real one, and nothing leaves this machine.
 *
 * <pre>{@code
 * try (EncryptorStatusEmulator status = EncryptorStatusEmulator.builder().host("127.0.1.5").start()) {
 *   status.script(Status.of("encrypting", 4, 8), Status.of("finished", 8, 8));
 *   ... run the orchestrator with --status-port status.port() ...
 * }
 * }</pre>
 */
public final class EncryptorStatusEmulator implements AutoCloseable {

  private final EmulatorServer server;
  private final AtomicInteger requests = new AtomicInteger();
  private volatile List<Status> script = List.of(Status.of("initial", 0, 0));

  private EncryptorStatusEmulator(Builder builder) {
    this.server = EmulatorServer.bind(builder, this::serve);
  }

  /**
   * A builder; set {@code host} to the emulated instance's address.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The answers to give: the n-th request gets the n-th status, and the last one repeats.
   *
   * @param statuses at least one
   * @return this, for chaining
   */
  public EncryptorStatusEmulator script(Status... statuses) {
    if (statuses.length == 0) {
      throw new IllegalArgumentException("script needs at least one status");
    }
    this.script = List.of(statuses);
    requests.set(0);
    return this;
  }

  /**
   * The port it listens on.
   *
   * @return the port
   */
  public int port() {
    return server.endpoint().getPort();
  }

  /**
   * Its base URI.
   *
   * @return e.g. {@code http://127.0.1.5:41234}
   */
  public URI endpoint() {
    return server.endpoint();
  }

  /**
   * How many status requests arrived.
   *
   * @return the count since start or the last {@link #script}
   */
  public int requests() {
    return requests.get();
  }

  @Override
  public void close() {
    server.close();
  }

  private Publisher<Void> serve(HttpServerRequest request, HttpServerResponse response) {
    if (!request.uri().equals("/")) {
      return EmulatorServer.send(response, HttpResponseStatus.NOT_FOUND.code(), "text/plain", Map.of(),
          "not found\n".getBytes(StandardCharsets.UTF_8));
    }
    List<Status> statuses = script;
    Status status = statuses.get(Math.min(requests.getAndIncrement(), statuses.size() - 1));
    JsonWriter json = new JsonWriter().beginObject()
        .field("state", status.state())
        .field("bytes_written", status.bytesWritten())
        .field("bytes_total", status.bytesTotal());
    if (status.failureCode() != null) {
      json.field("failure_code", status.failureCode());
    }
    byte[] body = json.endObject().toString().getBytes(StandardCharsets.UTF_8);
    return Mono.defer(() -> EmulatorServer.send(response, 200, "application/json", Map.of(), body));
  }

  /**
   * One answer of the status port.
   *
   * @param state initial, downloading, encrypting, finished or failed
   * @param bytesWritten bytes encrypted so far
   * @param bytesTotal bytes to encrypt
   * @param failureCode why it failed, or {@code null}
   */
  public record Status(String state, long bytesWritten, long bytesTotal, String failureCode) {

    /**
     * Null-checks the state.
     *
     * @param state the state
     * @param bytesWritten bytes so far
     * @param bytesTotal bytes in all
     * @param failureCode the failure code, or {@code null}
     */
    public Status {
      Objects.requireNonNull(state, "state");
    }

    /**
     * A status without a failure code.
     *
     * @param state the state
     * @param bytesWritten bytes so far
     * @param bytesTotal bytes in all
     * @return the status
     */
    public static Status of(String state, long bytesWritten, long bytesTotal) {
      return new Status(state, bytesWritten, bytesTotal, null);
    }
  }

  /** Settings for a new {@link EncryptorStatusEmulator}. */
  public static final class Builder extends EmulatorBuilder<Builder> {

    private Builder() {}

    /**
     * Binds the server.
     *
     * @return the running emulator; close it when done
     */
    public EncryptorStatusEmulator start() {
      return new EncryptorStatusEmulator(this);
    }
  }
}
