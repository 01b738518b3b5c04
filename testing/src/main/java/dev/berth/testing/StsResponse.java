package dev.berth.testing;

/** What the STS handler answers: an HTTP status, an XML document and the request id inside it. */
record StsResponse(int status, String xml, String requestId) {}
