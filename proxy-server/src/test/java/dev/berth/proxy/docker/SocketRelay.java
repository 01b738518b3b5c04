package dev.berth.proxy.docker;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Set;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A unix socket that relays each connection to another one, until the test {@link #restart}s the
 * engine behind it: then every open connection is cut, as a restarting engine cuts its clients',
 * and new connections reach the new target. Plain threads, no event loop. It can also refuse the
 * events stream ({@link #blockEvents}), as an engine whose API answers while its client has not yet
 * reopened the stream; {@link #refused()} counts the connections it closed at once.
 */
final class SocketRelay implements AutoCloseable {

  private final ServerSocketChannel server;
  private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger refused = new AtomicInteger();
  private volatile boolean blockEvents;
  private Path target;

  SocketRelay(Path listen, Path target) throws IOException {
    this.target = target;
    this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(listen));
    daemon("relay-accept", this::accept);
  }

  /** Cuts every connection; from now on new ones reach {@code next}. */
  synchronized void restart(Path next) {
    target = next;
    open.forEach(SocketRelay::closeQuietly);
  }

  /** While {@code block}, a connection that asks for {@code /events} is closed at once. */
  void blockEvents(boolean block) {
    blockEvents = block;
  }

  /** Connections closed at once: the target was unreachable, or they asked for blocked events. */
  int refused() {
    return refused.get();
  }

  @Override
  public void close() {
    closeQuietly(server);
    open.forEach(SocketRelay::closeQuietly);
  }

  private void accept() {
    while (server.isOpen()) {
      SocketChannel client;
      try {
        client = server.accept();
      } catch (IOException closed) {
        return;
      }
      try {
        connect(client);
      } catch (IOException unreachable) {
        closeQuietly(client);
        refused.incrementAndGet();
      }
    }
  }

  // Under the lock, so that no connection reaches the old target once restart has returned.
  private synchronized void connect(SocketChannel client) throws IOException {
    SocketChannel upstream = SocketChannel.open(UnixDomainSocketAddress.of(target));
    open.add(client);
    open.add(upstream);
    daemon("relay-up", () -> pump(client, upstream, true));
    daemon("relay-down", () -> pump(upstream, client, false));
  }

  private void pump(SocketChannel from, SocketChannel to, boolean request) {
    ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
    try {
      while (from.read(buffer) >= 0) {
        buffer.flip();
        if (request && blockEvents && asksForEvents(buffer)) {
          refused.incrementAndGet();
          return;
        }
        while (buffer.hasRemaining()) {
          to.write(buffer);
        }
        buffer.clear();
      }
    } catch (IOException cut) {
      // One side went away: the other goes too.
    } finally {
      closeQuietly(from);
      closeQuietly(to);
      open.remove(from);
      open.remove(to);
    }
  }

  private static boolean asksForEvents(ByteBuffer buffer) {
    String start = StandardCharsets.ISO_8859_1.decode(buffer.duplicate()).toString();
    int end = start.indexOf('\r');
    String line = end < 0 ? start : start.substring(0, end);
    return line.startsWith("GET ") && line.contains("/events");
  }

  private static void daemon(String name, Runnable body) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    thread.start();
  }

  private static void closeQuietly(java.nio.channels.Channel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // Closing is all that was wanted.
    }
  }
}
