package dev.berth.daemon.api;

/**
 * Every error of the control API, as JSON: {@code {"code": "...", "message": "..."}}.
 *
 * @param code stable and machine-readable, e.g. {@code not_found}, {@code invalid_spec}
 * @param message for a person: what is wrong and, where there is one, the fix
 */
public record ApiError(String code, String message) {}
