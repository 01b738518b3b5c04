package dev.berth.testing;

import java.time.Duration;

/**
 * What a Query handler answers: an HTTP status, the XML document, the request id inside it, and
 * how long to hold it back.
 */
record QueryAnswer(int status, String xml, String requestId, Duration delay) {}
