package dev.berth.iptables;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.EventsCmd;
import com.github.dockerjava.api.model.Event;
import java.io.Closeable;
import java.io.IOException;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

/**
 * A Docker engine's events stream as a {@link Flux}: {@link #CONNECTED} as soon as the stream is
 * open (so a subscriber can list what exists and miss nothing that follows), then each event. It
 * fails when the stream breaks or the engine ends it, so a {@code retryWhen} reconnects it; disposing
 * the subscription closes the stream. Shared by {@link DockerBridges} and the proxy's container index.
 */
public final class DockerEvents {

  /** The first element of every subscription, once the engine has accepted the stream. */
  public static final Event CONNECTED = new Event("connected", "", "", 0L);

  private static final Logger log = LoggerFactory.getLogger(DockerEvents.class);

  private DockerEvents() {}

  /**
   * The events {@code filter} selects (e.g. {@code cmd -> cmd.withEventTypeFilter(EventType.NETWORK)}),
   * after {@link #CONNECTED}; {@code overflow} says what a slow subscriber loses, if anything.
   */
  public static Flux<Event> stream(DockerClient docker, UnaryOperator<EventsCmd> filter,
      FluxSink.OverflowStrategy overflow) {
    return Flux.create(sink -> {
      ResultCallback.Adapter<Event> callback = new ResultCallback.Adapter<>() {
        @Override
        public void onStart(Closeable stream) {
          super.onStart(stream);
          sink.next(CONNECTED);
        }

        @Override
        public void onNext(Event event) {
          sink.next(event);
        }

        @Override
        public void onError(Throwable error) {
          sink.error(error);
        }

        @Override
        public void onComplete() {
          sink.error(new IllegalStateException("the engine closed the events stream"));
        }
      };
      sink.onDispose(() -> {
        try {
          callback.close();
        } catch (IOException e) {
          log.debug("closing the events stream: {}", e.toString());
        }
      });
      filter.apply(docker.eventsCmd()).exec(callback);
    }, overflow);
  }
}
