package dev.berth.encryptor;

import java.util.Map;

/**
 * One run in progress, as the strategies see it: its session, journal, request, deadline and the
 * tags every resource it creates carries.
 *
 * @param session the session
 * @param journal the session's journal
 * @param spec the request
 * @param deadline the end of the run
 * @param tags the session tag plus the user's {@code --tag}s
 */
record Run(Session session, Journal journal, EncryptSpec spec, Deadline deadline, Map<String, String> tags) {

  /** A client token for the run's step {@code step}: the same on a retry, unique per session. */
  String token(String step) {
    return session.id() + "-" + step;
  }
}
