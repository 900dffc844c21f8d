/**
 * Rules of patrol tracks that the server and the phone both follow: which points a track keeps and
 * how points join into runs. The server checks every point against these (server/domain/tracks.ts),
 * the phone records by them (web/stores/duty.ts) and the live map joins live points by them.
 */

/** Points stamped before this are refused as a bad time (an unset phone clock reads 1970). */
export const TRACK_MIN_TIME = Date.UTC(2000, 0, 1)

/** Largest accuracy (m) a point may claim on the server; more is not a position but a guess. */
export const MAX_ACCURACY_M = 10_000

/** Two consecutive points of a device join into a segment only if at most this many seconds apart… */
export const RUN_MAX_GAP_S = 120
/** …and at most this many metres apart (the contract's rule for runs and coverage). */
export const RUN_MAX_GAP_M = 200

/**
 * How the phone records on duty: a fix further than `minMoveM` from the last kept one is kept, and so
 * is one `minIntervalMs` after it even standing still; a fix less accurate than `maxAccuracyM` is not
 * recorded at all (stricter than the server's {@link MAX_ACCURACY_M}: the phone knows it can do better).
 */
export const PHONE_RECORDING = { minMoveM: 5, minIntervalMs: 15_000, maxAccuracyM: 200 } as const
